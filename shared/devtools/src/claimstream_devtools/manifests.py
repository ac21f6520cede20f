"""deploy/k8s/base/services/<service>.yaml, one file per service (a stand-in for a partner, the simulator, is not
deployed: docs/deploy.md), written from the services' kit declarations:

    python -m claimstream_devtools.manifests

A test fails when the files are not what this writes, so a new service (or a new setting it needs) reaches the
manifests by running it, never by hand. Each file holds the service's ServiceAccount; its API's Deployment,
Service, PodDisruptionBudget and HorizontalPodAutoscaler; its worker's Deployment and PodDisruptionBudget; its
migration Job; and its NetworkPolicy (docs/deploy.md, "Kubernetes")."""

import sys
from pathlib import Path
from typing import Any

import yaml
from claimstream_platform.kit import Service, discover

from claimstream_devtools.devstack.stack import repository_root
from claimstream_devtools.k8s_components import (
    DATABASE_CLUSTER,
    consumed_topics,
    database_roles,
    grants_job,
    kafka_user,
    scaling,
)
from claimstream_devtools.k8s_demo import demo_objects, patches
from claimstream_devtools.k8s_objects import (
    API_PORT,
    DATABASE,
    METRICS_PORT,
    calls,
    container,
    labels,
    pod,
    probes,
    reaches_outside,
)
from claimstream_devtools.written_yaml import written

HEADER = "# Written by `python -m claimstream_devtools.manifests` from the service's declaration: do not edit.\n"
DEMO_HEADER = HEADER + (
    "# The demo on a cluster, which the dev overlay adds: the simulator as the partners, a mail sink, the demo's\n"
    '# tenant and workload (docs/deploy.md, "The demo on a cluster").\n'
    "# Its Secrets: python -m claimstream_devtools.k8s_secrets\n"
)


def objects(service: Service[Any], every: list[Service[Any]]) -> list[dict[str, Any]]:
    return [
        _object("v1", "ServiceAccount", service.name, {"automountServiceAccountToken": False}),
        _migration(service),
        _api(service),
        _object("v1", "Service", service.name, _service_spec(service)),
        _disruption(service, "api"),
        _autoscaler(service),
        _worker(service),
        _disruption(service, "worker"),
        _network_policy(service, every),
    ]


def _object(api_version: str, kind: str, name: str, spec: dict[str, Any], **extra: Any) -> dict[str, Any]:
    body = spec if kind == "ServiceAccount" else {"spec": spec}
    return {"apiVersion": api_version, "kind": kind, "metadata": {"name": name, **extra}, **body}


def _migration(service: Service[Any]) -> dict[str, Any]:
    """Run before the Deployments roll (an overlay's or a CD tool's ordering); safe to run again."""
    main = container(service, "migrate", ["migrate"], migration=True)
    template = pod(service, "migrate", main, restart="OnFailure")
    spec = {"backoffLimit": 6, "ttlSecondsAfterFinished": 600, "template": template}  # gone before an upgrade's
    return _object("batch/v1", "Job", f"{service.name}-migrate", spec, labels=labels(service, "migrate"))


def _api(service: Service[Any]) -> dict[str, Any]:
    main = container(service, "api", ["api", "--host", "0.0.0.0", "--port", str(API_PORT)])
    main["ports"] = [{"name": "http", "containerPort": API_PORT}]
    main |= probes("http", ready="/readyz", live="/healthz")
    return _deployment(service, "api", main, replicas=2)


def _worker(service: Service[Any]) -> dict[str, Any]:
    """Its replicas follow its consumer group's lag where KEDA runs (docs/deploy.md); one otherwise."""
    main = container(service, "worker", ["worker"])
    main["env"] += [
        {"name": "METRICS_PORT", "value": str(METRICS_PORT)},
        {"name": "METRICS_HOST", "value": "0.0.0.0"},
    ]
    main["ports"] = [{"name": "metrics", "containerPort": METRICS_PORT}]
    main |= probes("metrics", ready="/readyz", live="/healthz")
    return _deployment(service, "worker", main, replicas=1)


def _deployment(service: Service[Any], role: str, main: dict[str, Any], *, replicas: int) -> dict[str, Any]:
    spec = {
        "replicas": replicas,
        "selector": {"matchLabels": labels(service, role)},
        "template": pod(service, role, main),
    }
    return _object("apps/v1", "Deployment", f"{service.name}-{role}", spec, labels=labels(service, role))


def _service_spec(service: Service[Any]) -> dict[str, Any]:
    return {"selector": labels(service, "api"), "ports": [{"name": "http", "port": 80, "targetPort": "http"}]}


def _disruption(service: Service[Any], role: str) -> dict[str, Any]:
    spec = {"maxUnavailable": 1, "selector": {"matchLabels": labels(service, role)}}
    return _object("policy/v1", "PodDisruptionBudget", f"{service.name}-{role}", spec)


def _autoscaler(service: Service[Any]) -> dict[str, Any]:
    target = {"apiVersion": "apps/v1", "kind": "Deployment", "name": f"{service.name}-api"}
    cpu = {"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}}
    spec = {"scaleTargetRef": target, "minReplicas": 2, "maxReplicas": 6, "metrics": [cpu]}
    return _object("autoscaling/v2", "HorizontalPodAutoscaler", f"{service.name}-api", spec)


def _network_policy(service: Service[Any], every: list[Service[Any]]) -> dict[str, Any]:
    """In: its API from the namespace (the console) and from the namespace labelled as the ingress controller's,
    its metrics from the one labelled as the scraper's. Out:
    DNS, PostgreSQL, Kafka, the APIs it calls, and partners outside the cluster where it has one."""
    own: dict[str, Any] = {"podSelector": {}}  # every pod of the namespace
    entry = {"namespaceSelector": {"matchLabels": {"claimstream.io/ingress": "true"}}}  # the ingress controller's
    scraper = {"namespaceSelector": {"matchLabels": {"claimstream.io/monitoring": "true"}}}  # Prometheus's
    ingress = [
        {"from": [own, entry], "ports": [{"port": API_PORT}]},
        {"from": [own, scraper], "ports": [{"port": API_PORT}, {"port": METRICS_PORT}]},
    ]
    egress: list[dict[str, Any]] = [
        {
            "to": [{"namespaceSelector": {}}],
            "ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}],
        },
        {"to": [{"podSelector": {"matchLabels": {"cnpg.io/cluster": "claimstream-db"}}}], "ports": [{"port": 5432}]},
        {
            "to": [{"namespaceSelector": {}, "podSelector": {"matchLabels": {"strimzi.io/cluster": "claimstream"}}}],
            "ports": [{"port": 9093}],
        },
    ]
    for called in calls(service, every):
        selector = {"matchLabels": {"app.kubernetes.io/name": called, "app.kubernetes.io/component": "api"}}
        egress.append({"to": [{"podSelector": selector}], "ports": [{"port": API_PORT}]})
    if reaches_outside(service):
        outside = {"ipBlock": {"cidr": "0.0.0.0/0", "except": ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]}}
        egress.append({"to": [outside], "ports": [{"port": 443}, {"port": 587}]})
    spec = {
        "podSelector": {"matchLabels": {"app.kubernetes.io/name": service.name}},
        "policyTypes": ["Ingress", "Egress"],
        "ingress": ingress,
        "egress": egress,
    }
    return _object("networking.k8s.io/v1", "NetworkPolicy", service.name, spec)


def components(every: list[Service[Any]]) -> dict[str, list[dict[str, Any]]]:
    """The operators' resources, one file per component: each service's Kafka user, database roles, scaling."""
    ours = every
    cluster = {
        "apiVersion": "postgresql.cnpg.io/v1",
        "kind": "Cluster",
        "metadata": {"name": DATABASE_CLUSTER},
        "spec": {
            "instances": 3,
            "enableSuperuserAccess": True,  # its Secret is the grants Job's alone
            "bootstrap": {"initdb": {"database": DATABASE, "owner": "claimstream"}},
            "postgresql": {"parameters": {"max_connections": "800"}},  # docs/deploy.md, "Connection budget"
            "storage": {"size": "20Gi"},
            "managed": {"roles": database_roles(ours)},
        },
    }
    return {
        "strimzi/users.yaml": [kafka_user(s) for s in ours],
        "cloudnative-pg/cluster.yaml": [cluster, grants_job(ours)],
        "keda/scaling.yaml": [item for s in ours if consumed_topics(s) for item in scaling(s)],
    }


def rendered(root: Path) -> dict[Path, str]:
    """Each file, as this module writes it: a service's in the base, the operators' resources in their components.
    A stand-in for a partner (the simulator) is not deployed: a cluster talks to the real clearinghouse."""
    found = discover(root / "services")
    every = [service for service in found if not service.stand_in]
    k8s = root / "deploy" / "k8s"
    files = {
        k8s / "base" / "services" / f"{service.name}.yaml": HEADER
        + yaml.safe_dump_all(objects(service, every), sort_keys=False)
        for service in every
    }
    for path, items in components(every).items():
        files[k8s / "components" / path] = HEADER + yaml.safe_dump_all(items, sort_keys=False)
    return files | demo_files(k8s / "components" / "demo", found)


def demo_files(folder: Path, found: list[Service[Any]]) -> dict[Path, str]:
    """The demo's component (k8s_demo.py): the simulator as a service is deployed, and what the demo adds."""
    simulator = next(service for service in found if service.package == "clearinghouse_simulator")
    identity = next(service for service in found if service.package == "identity")
    every = [service for service in found if not service.stand_in]
    items = objects(simulator, found) + demo_objects(simulator, identity, every)
    component = {
        "apiVersion": "kustomize.config.k8s.io/v1alpha1",
        "kind": "Component",
        "resources": ["demo.yaml"],
        "patches": patches(simulator, every),
    }
    return {
        folder / "demo.yaml": HEADER + yaml.safe_dump_all(items, sort_keys=False),
        folder / "kustomization.yaml": DEMO_HEADER + written(component),
    }


def main() -> int:
    files = rendered(repository_root())
    for path, content in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    print(f"deploy/k8s: {len(files)} files written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
