"""The demo on a cluster: deploy/k8s/components/demo, which the dev overlay adds, so that `kubectl apply -k
deploy/k8s/overlays/dev` runs the demo `make run` runs (docs/deploy.md, "The demo on a cluster"). Written by
`claimstream_devtools.manifests` from the declarations:
- the clearinghouse simulator, deployed as a service is (API, worker, migration, roles, Kafka login), which the
  services reach as their clearinghouse and payment processor;
- a mail sink the statements go to;
- the demo's tenant, made once by a Job as the database's superuser, with a fixed id;
- the simulated EHRs' workload, whose tokens identity's own command issues in the pod's first container (with
  identity's settings and Secrets, which the workload's container does not mount), which then invites the demo's
  people who sign in to the console.
Its Secrets: `python -m claimstream_devtools.k8s_secrets` (k8s_secrets.py)."""

import shlex
from typing import Any

import yaml
from claimstream_platform.auth import Role
from claimstream_platform.kit import Service
from claimstream_platform.single_host import DEMO_TENANT

from claimstream_devtools.devstack.payments import WEBHOOK_PATH
from claimstream_devtools.devstack.run import DEMO_PACE, DEMO_TOKENS, WORKLOAD_PEERS, WORKLOAD_RATE, issuing
from claimstream_devtools.k8s_components import database_roles, kafka_user, superuser_job
from claimstream_devtools.k8s_objects import API_PORT, IMAGE, RUN, USER, container, locked_down, volumes

DEMO_TENANT_ID = "00000000-0000-4000-8000-00000000de70"  # fixed: the tenant's Job and the token issuer agree on it
SIMULATOR = "clearinghouse-simulator"
MAIL = "axllent/mailpit:v1.31.3"
DEMO_SECRET = "claimstream-demo"  # the workload's: claimstream's account at the simulated clearinghouse
WORKLOAD_FOLDER = f"{RUN}/workload"


def demo_objects(simulator: Service[Any], identity: Service[Any], every: list[Service[Any]]) -> list[dict[str, Any]]:
    """What the component adds besides the simulator's own objects (manifests.objects)."""
    return [
        kafka_user(simulator),
        superuser_job("demo-tenant", "demo-tenant", _tenant_command()),
        *_mail(),
        _workload(identity, every),
        _workload_policy(),
        _partners_policy(every),
        _simulator_policy(every),
    ]


def _tenant_command() -> list[str]:
    return ["claimstream_platform.cli", "admin", "create-tenant", DEMO_TENANT, "--id", DEMO_TENANT_ID]


def platform_settings(every: list[Service[Any]]) -> dict[str, str]:
    """The platform ConfigMap's partners, pointed at the simulator and the mail sink, at the demo's pace."""
    simulator = f"http://{SIMULATOR}"
    patient_billing = next(s for s in every if s.package == "patient_billing")
    return {
        "CLEARINGHOUSE_URL": simulator,
        "PROCESSOR_URL": simulator,
        "PROCESSOR_WEBHOOK_URL": f"http://{patient_billing.name}{WEBHOOK_PATH}",
        "SMTP_HOST": "mail",
        "SMTP_PORT": "1025",
        **DEMO_PACE,
    }


def patches(simulator: Service[Any], every: list[Service[Any]]) -> list[dict[str, Any]]:
    """The database cluster's roles and the grants Job, with the simulator's schema; the ConfigMap's partners."""
    add_roles = [{"op": "add", "path": "/spec/managed/roles/-", "value": role} for role in database_roles([simulator])]
    grant = [{"op": "add", "path": "/spec/template/spec/containers/0/args/-", "value": simulator.package}]
    config = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "claimstream-platform"}}
    return [
        {"target": {"kind": "Cluster"}, "patch": _yaml(add_roles)},
        {"target": {"kind": "Job", "name": "database-grants"}, "patch": _yaml(grant)},
        {"patch": _yaml(config | {"data": platform_settings(every)})},
    ]


def _yaml(value: Any) -> str:
    """A patch's text, in YAML as kustomize takes it."""
    text: str = yaml.safe_dump(value, sort_keys=False, width=120)
    return text


def _mail() -> list[dict[str, Any]]:
    """Mailpit: a real SMTP server that keeps the statements and delivers nothing (its page on 8025)."""
    selector = {"app.kubernetes.io/name": "mail"}
    main = {
        "name": "mail",
        "image": MAIL,
        "ports": [{"name": "smtp", "containerPort": 1025}, {"name": "http", "containerPort": 8025}],
        "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],
        "resources": {"requests": {"cpu": "20m", "memory": "32Mi"}, "limits": {"cpu": "200m", "memory": "128Mi"}},
        "securityContext": locked_down(),
        "livenessProbe": {"httpGet": {"path": "/livez", "port": "http"}, "periodSeconds": 10},
        "readinessProbe": {"httpGet": {"path": "/readyz", "port": "http"}, "periodSeconds": 5},
    }
    pod = _pod(selector, main, [{"name": "tmp", "emptyDir": {"sizeLimit": "64Mi"}}])
    deployment = _deployment("mail", selector, pod)
    ports = [{"name": "smtp", "port": 1025, "targetPort": "smtp"}, {"name": "http", "port": 8025, "targetPort": "http"}]
    service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "mail"}}
    return [deployment, service | {"spec": {"selector": selector, "ports": ports}}]


def _pod(labels: dict[str, str], main: dict[str, Any], pod_volumes: list[dict[str, Any]]) -> dict[str, Any]:
    context = {"runAsNonRoot": True, "runAsUser": USER, "runAsGroup": USER, "fsGroup": USER}
    return {
        "metadata": {"labels": labels},
        "spec": {
            "automountServiceAccountToken": False,
            "securityContext": context | {"seccompProfile": {"type": "RuntimeDefault"}},
            "containers": [main],
            "volumes": pod_volumes,
        },
    }


def _deployment(name: str, labels: dict[str, str], pod: dict[str, Any]) -> dict[str, Any]:
    spec = {"replicas": 1, "selector": {"matchLabels": labels}, "template": pod}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "labels": labels}, "spec": spec}


def _token_script(identity: Service[Any]) -> str:
    """identity's command, once per demo caller, each token in its file of the pod's own folder; then the demo's
    people invited (`clearinghouse_simulator.demo_people`: their passwords in this container's log)."""
    lines = ["set -eu", "umask 077"]
    for file, name, role, _ in DEMO_TOKENS:
        lines.append(f"{shlex.join(issuing(DEMO_TENANT_ID, name, role))} > {WORKLOAD_FOLDER}/{file}")
    people = ["python", "-m", "clearinghouse_simulator.demo_people", "--identity", f"http://{identity.name}"]
    people += ["--admin-token-file", f"{WORKLOAD_FOLDER}/demo-admin-token", "--operator"]
    lines.append(shlex.join([*people, "--out", f"{WORKLOAD_FOLDER}/console-people"]))
    return "\n".join(lines)


def _workload(identity: Service[Any], every: list[Service[Any]]) -> dict[str, Any]:
    """Encounters at the demo's rate. The tokens are issued first, as identity (its settings and Secrets mounted in
    that container alone): it fails until the demo's tenant exists, and is retried."""
    tokens = container(identity, "tokens", [])
    del tokens["args"]
    tokens["command"] = ["/bin/sh", "-c", _token_script(identity)]
    tokens["volumeMounts"].append({"name": "workload", "mountPath": WORKLOAD_FOLDER, "readOnly": False})
    identity_volumes, _ = volumes(identity)
    own = [
        {"name": "workload", "emptyDir": {"sizeLimit": "1Mi"}},
        {"name": "demo", "secret": {"secretName": DEMO_SECRET}},
    ]
    labels = {"app.kubernetes.io/name": "demo-workload", "app.kubernetes.io/component": "workload"}
    pod = _pod(labels, _workload_container(every), identity_volumes + own)
    pod["spec"]["initContainers"] = [tokens]
    pod["spec"]["serviceAccountName"] = identity.name
    return _deployment("demo-workload", labels, pod)


def _workload_container(every: list[Service[Any]]) -> dict[str, Any]:
    by_package = {service.package: service for service in every}
    env = {f"{package.upper()}_URL": f"http://{by_package[package].name}" for package in sorted(WORKLOAD_PEERS)}
    files = {role: f"{WORKLOAD_FOLDER}/{file}" for file, _, role, _ in DEMO_TOKENS}
    env |= {
        "SIMULATOR_URL": f"http://{SIMULATOR}",
        "CLAIMSTREAM_ADMIN_TOKEN_FILE": files[Role.TENANT_ADMIN],
        "CLAIMSTREAM_FRONT_DESK_TOKEN_FILE": files[Role.BILLER],  # a biller's work includes the front desk's
        "CLAIMSTREAM_EHR_TOKEN_FILE": files[Role.EHR_INTEGRATION],
        "SIMULATOR_TOKEN_FILE": f"{RUN}/demo/clearinghouse_token",
        "DEMO_MAILBOX": "http://mail:8025",  # the patients read their statements there, and pay some
    }
    present = {"exec": {"command": ["cat", files[Role.EHR_INTEGRATION]]}, "periodSeconds": 30}  # its tokens are there
    return {
        "name": "workload",
        "image": IMAGE,
        "args": ["clearinghouse_simulator.workload", "--rate", str(WORKLOAD_RATE)],
        "env": [{"name": name, "value": value} for name, value in env.items()],
        "volumeMounts": [
            {"name": "tmp", "mountPath": "/tmp", "readOnly": False},
            {"name": "workload", "mountPath": WORKLOAD_FOLDER, "readOnly": True},
            {"name": "demo", "mountPath": f"{RUN}/demo", "readOnly": True},
        ],
        "resources": {"requests": {"cpu": "50m", "memory": "160Mi"}, "limits": {"cpu": "500m", "memory": "384Mi"}},
        "securityContext": locked_down(),
        "livenessProbe": present,
        "readinessProbe": present,
    }


def _policy(name: str, selector: dict[str, Any], ingress: list[Any], egress: list[Any]) -> dict[str, Any]:
    spec = {"podSelector": selector, "policyTypes": ["Ingress", "Egress"], "ingress": ingress, "egress": egress}
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": name}, "spec": spec}


def _to(name: str, port: int, component: str | None = None) -> dict[str, Any]:
    labels = {"app.kubernetes.io/name": name} | ({"app.kubernetes.io/component": component} if component else {})
    return {"to": [{"podSelector": {"matchLabels": labels}}], "ports": [{"port": port}]}


DNS = {"to": [{"namespaceSelector": {}}], "ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}]}


def _partners_policy(every: list[Service[Any]]) -> dict[str, Any]:
    """The services reach the simulator (their clearinghouse and processor) and the mail sink inside the cluster.
    It adds to each one's own policy, and opens nothing in."""
    names = sorted(service.name for service in every)
    selector = {"matchExpressions": [{"key": "app.kubernetes.io/name", "operator": "In", "values": names}]}
    return _policy("demo-partners", selector, [], [_to(SIMULATOR, API_PORT, "api"), _to("mail", 1025)])


def _simulator_policy(every: list[Service[Any]]) -> dict[str, Any]:
    """The simulator, as the payment processor, reaches patient billing's webhook (adding to its own policy)."""
    billing = next(s for s in every if s.package == "patient_billing")
    selector = {"matchLabels": {"app.kubernetes.io/name": SIMULATOR}}
    return _policy("demo-simulator", selector, [], [_to(billing.name, API_PORT, "api")])


def _workload_policy() -> dict[str, Any]:
    """Nothing in; out, DNS, the APIs, the mail sink's page, and (for identity's command, before it) PostgreSQL."""
    database = {"podSelector": {"matchLabels": {"cnpg.io/cluster": "claimstream-db"}}}
    apis = {"podSelector": {"matchLabels": {"app.kubernetes.io/component": "api"}}}
    mail = {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "mail"}}}
    egress = [DNS, {"to": [database], "ports": [{"port": 5432}]}, {"to": [apis], "ports": [{"port": API_PORT}]}]
    egress.append({"to": [mail], "ports": [{"port": 8025}]})  # the patients' statements
    return _policy("demo-workload", {"matchLabels": {"app.kubernetes.io/name": "demo-workload"}}, [], egress)
