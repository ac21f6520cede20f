"""The Kubernetes objects of one service, from its kit declaration (claimstream_platform.kit.Service): what
`claimstream_devtools.manifests` writes into deploy/k8s/base. Every fact that differs by service (its name, package,
the settings it needs, what it calls) comes from the declaration; the rest is one rule for all (docs/deploy.md)."""

from typing import Any

from claimstream_platform.kit import Service
from claimstream_platform.settings import ServiceSettings

IMAGE = "claimstream"  # an overlay names the registry and tag (kustomize `images`)
API_PORT, METRICS_PORT = 8080, 9090
RUN = "/var/run/claimstream"
USER = 10001
DATABASE_HOST, DATABASE = "claimstream-db-rw", "claimstream"  # CloudNativePG's read-write Service, its database
OWN_SETTINGS = frozenset(ServiceSettings.model_fields)


def locked_down() -> dict[str, Any]:
    """A container's security context: no privilege to gain, a read-only root, no capabilities."""
    return {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True, "capabilities": {"drop": ["ALL"]}}


def labels(service: Service[Any], role: str) -> dict[str, str]:
    return {"app.kubernetes.io/name": service.name, "app.kubernetes.io/component": role}


def own_files(service: Service[Any]) -> list[str]:
    """The service's own file settings it cannot start without, required or declared (`Service.files`: identity's
    worker needs its audit key), each from its Secret `<name>-files`."""
    fields = service.settings.model_fields
    required = {n for n, f in fields.items() if n.endswith("_file") and n not in OWN_SETTINGS and f.is_required()}
    return sorted(required | set(service.files))


def calls(service: Service[Any], every: list[Service[Any]]) -> list[str]:
    """The services whose APIs it calls: each `<package>_url` setting it has."""
    fields = service.settings.model_fields
    return sorted(s.name for s in every if f"{s.package}_url" in fields and s is not service)


def reaches_outside(service: Service[Any]) -> bool:
    """A partner outside the cluster: the clearinghouse, the payment processor, a mail relay."""
    fields = service.settings.model_fields
    return any(name in fields for name in ("clearinghouse_url", "processor_url", "smtp_host", "processor_webhook_url"))


def database_url(service: Service[Any], role: str) -> str:
    """A role's URL to the cluster's primary, its password from the role's Secret (expanded by Kubernetes)."""
    secret = f"$(DATABASE_{role.upper()}_PASSWORD)"
    where = f"{DATABASE_HOST}:5432/{DATABASE}?sslmode=verify-full&sslrootcert={RUN}/postgres-ca/ca.crt"
    return f"postgresql+asyncpg://{service.package}_{role}:{secret}@{where}"


def environment(service: Service[Any], *, migration: bool = False) -> list[dict[str, Any]]:
    """Settings the service alone is given. Each database role's password comes from its Secret (CloudNativePG's
    managed role keeps it), and the URL is composed from it; the owner's only in the migration Job."""
    roles = {"DATABASE_URL": "app", "ACROSS_TENANTS_DATABASE_URL": "across"}
    roles |= {"MIGRATION_DATABASE_URL": "owner"} if migration else {}
    env: list[dict[str, Any]] = [
        {"name": "SERVICE_NAME", "value": service.name},
        {"name": "DATABASE_SCHEMA", "value": service.package},
        {"name": "KAFKA_SASL_USERNAME", "value": service.name},
        {"name": "KAFKA_SASL_PASSWORD_FILE", "value": f"{RUN}/kafka/password"},
    ]
    for variable, role in roles.items():
        password = {"secretKeyRef": {"name": f"{service.name}-db-{role}", "key": "password"}}
        env.append({"name": f"DATABASE_{role.upper()}_PASSWORD", "valueFrom": password})
        env.append({"name": variable, "value": database_url(service, role)})
    env += [{"name": name.upper(), "value": f"{RUN}/files/{name.removesuffix('_file')}"} for name in own_files(service)]
    return env + own_tokens(service)


def own_tokens(service: Service[Any]) -> list[dict[str, Any]]:
    """A partner's stand-in (the simulator) verifies tokens of its own issuer and audience: its defaults, over the
    platform ConfigMap's claimstream ones."""
    fields, platform = service.settings.model_fields, ServiceSettings.model_fields
    names = ("auth_issuer", "auth_audience")
    return [
        {"name": name.upper(), "value": fields[name].default}
        for name in names
        if fields[name].default != platform[name].default
    ]


def certificate_only(secret: str) -> dict[str, Any]:
    """An authority's certificate alone: its Secret holds the authority's private key too (CloudNativePG's does)."""
    return {"secret": {"secretName": secret, "items": [{"key": "ca.crt", "path": "ca.crt"}]}}


def volumes(service: Service[Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The pod's volumes and the container's mounts: secrets by reference, and /tmp (the root is read-only)."""
    mounted = [
        ("tmp", "/tmp", {"emptyDir": {"sizeLimit": "64Mi"}}),
        ("auth", f"{RUN}/auth", {"secret": {"secretName": "claimstream-auth"}}),
        ("kafka", f"{RUN}/kafka", {"secret": {"secretName": service.name}}),  # Strimzi's KafkaUser secret
        ("kafka-ca", f"{RUN}/kafka-ca", certificate_only("claimstream-cluster-ca-cert")),
        ("postgres-ca", f"{RUN}/postgres-ca", certificate_only("claimstream-db-ca")),
    ]
    if own_files(service):
        mounted.append(("files", f"{RUN}/files", {"secret": {"secretName": f"{service.name}-files"}}))
    pod = [{"name": name, **source} for name, _, source in mounted]
    container = [{"name": name, "mountPath": path, "readOnly": name != "tmp"} for name, path, _ in mounted]
    return pod, container


def container(service: Service[Any], role: str, args: list[str], *, migration: bool = False) -> dict[str, Any]:
    _, mounts = volumes(service)
    return {
        "name": role,
        "image": IMAGE,
        "args": [service.package, *args],
        "envFrom": [{"configMapRef": {"name": "claimstream-platform"}}],
        "env": environment(service, migration=migration),
        "volumeMounts": mounts,
        "resources": {
            "requests": {"cpu": "100m", "memory": "192Mi"},
            "limits": {"cpu": "1", "memory": "512Mi"},
        },
        "securityContext": locked_down(),
    }


def pod(service: Service[Any], role: str, main: dict[str, Any], *, restart: str = "Always") -> dict[str, Any]:
    pod_volumes, _ = volumes(service)
    return {
        "metadata": {"labels": labels(service, role)},
        "spec": {
            "serviceAccountName": service.name,
            "automountServiceAccountToken": False,
            "restartPolicy": restart,
            "securityContext": {
                "runAsNonRoot": True,
                "runAsUser": USER,
                "runAsGroup": USER,
                "fsGroup": USER,
                "seccompProfile": {"type": "RuntimeDefault"},
            },
            "containers": [main],
            "volumes": pod_volumes,
        },
    }


def probes(port: str, ready: str, live: str) -> dict[str, Any]:
    """Liveness cheap (the process answers); readiness the service's own checks. Generous at start: every
    process imports its whole stack first."""
    return {
        "startupProbe": {"httpGet": {"path": live, "port": port}, "periodSeconds": 2, "failureThreshold": 60},
        "livenessProbe": {"httpGet": {"path": live, "port": port}, "periodSeconds": 10, "failureThreshold": 3},
        # /readyz asks the database and reads the loops' rows (2 s bounds each), the broker at most every 15 s
        "readinessProbe": {
            "httpGet": {"path": ready, "port": port},
            "periodSeconds": 5,
            "timeoutSeconds": 5,
            "failureThreshold": 2,
        },
    }
