"""docker-compose.yml, written from the services' kit declarations: the whole stack and the demo on one host.

    python -m claimstream_devtools.compose

A test fails when the file is not what this writes, so a new service (or a new setting it needs) reaches it by
running this, never by hand. In start order, each step gated on the one before (docs/deploy.md, "Docker Compose"):
Kafka, PostgreSQL and a mail sink, healthy; `setup` (`claimstream_platform.single_host`: keys, every service's
roles, the platform's schemas, the topics, the demo's tenant), done; each service's migration, done; its API
(healthy when /readyz answers) and its worker (when its own /readyz does); identity's commands issue the demo's
tokens; the demo's people are invited (their passwords in that step's log); then the simulated EHRs' workload, once
every API is healthy. Each process is given the settings its service reads and nothing else, and mounts the shared
folder and its service's own (its private keys, its roles' URLs)."""

import shlex
import sys
from pathlib import Path
from typing import Any

from claimstream_platform.auth import Role
from claimstream_platform.kit import Service, discover
from claimstream_platform.single_host_transport import SETUP_LOGIN

from claimstream_devtools.compose_infrastructure import (
    KEYS,
    ROLES,
    SETUP,
    SHARED,
    VOLUMES,
    WORKLOAD,
    infrastructure,
    volume,
)
from claimstream_devtools.devstack.payments import FILES as PAYMENT_FILES
from claimstream_devtools.devstack.payments import WEBHOOK_PATH
from claimstream_devtools.devstack.run import DEMO_PACE, DEMO_TOKENS, WORKLOAD_PEERS, WORKLOAD_RATE, issuing
from claimstream_devtools.devstack.stack import repository_root
from claimstream_devtools.written_yaml import written

HEADER = (
    "# Written by `python -m claimstream_devtools.compose` from the services' declarations: do not edit.\n"
    '# The whole stack and the demo on one host (docs/deploy.md, "Docker Compose"). No credential is defaulted:\n'
    '# make the .env file first, e.g.   echo "POSTGRES_PASSWORD=$(openssl rand -hex 24)" > .env\n'
    "# then   docker compose up --build   (the console at http://127.0.0.1:8000, the mail sink at :8025).\n"
)
IMAGE = "claimstream:local"
API_PORT, METRICS_PORT = 8080, 9090
PEOPLE = f"{WORKLOAD}/console-people"
KAFKA_CLIENT = {
    "KAFKA_BOOTSTRAP_SERVERS": "kafka:9092",
    "KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
    "KAFKA_CA_FILE": f"{SHARED}/ca.crt",
}
PASSWORD = "${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD in .env}"  # Compose's: refused when unset, never defaulted
TLS = f"sslmode=verify-full&sslrootcert={SHARED}/ca.crt"  # every role's URL is made from this one: the same TLS
ADMIN_URL = f"postgresql+asyncpg://claimstream:{PASSWORD}@postgres:5432/claimstream?{TLS}"
HARDENED = {
    "read_only": True,
    "tmpfs": ["/tmp"],
    "cap_drop": ["ALL"],
    "security_opt": ["no-new-privileges:true"],
}


def api_url(service: Service[Any]) -> str:
    return f"http://{service.name}-api:{API_PORT}"


def offered(every: list[Service[Any]]) -> dict[str, str]:
    """Every setting this host gives, by variable; each process gets those its service reads (`reads`)."""
    by_package = {service.package: service for service in every}
    simulator, patient_billing = api_url(by_package["clearinghouse_simulator"]), by_package["patient_billing"]
    return {
        **KAFKA_CLIENT,
        "KAFKA_SASL_PASSWORD_FILE": f"{KEYS}/kafka-password",
        "AUTH_PUBLIC_KEY_FILE": f"{SHARED}/public.pem",
        "SIMULATOR_PUBLIC_KEY_FILE": f"{SHARED}/simulator-public.pem",
        "CLEARINGHOUSE_URL": simulator,
        "CLEARINGHOUSE_TOKEN_FILE": f"{SHARED}/clearinghouse-token",
        "SMTP_HOST": "mail",
        "SMTP_PORT": "1025",
        "PROCESSOR_URL": simulator,
        "PROCESSOR_WEBHOOK_URL": f"{api_url(patient_billing)}{WEBHOOK_PATH}",
        **{variable: f"{KEYS}/{name}" for variable, name in PAYMENT_FILES.items()},
        "IDENTITY_SIGNING_KEY_FILE": f"{KEYS}/signing.pem",
        "IDENTITY_AUDIT_KEY_FILE": f"{KEYS}/audit.key",
        "CONSOLE_SESSION_KEY_FILE": f"{KEYS}/console-session.key",
        "CONSOLE_SECURE_COOKIE": "false",  # served over plain HTTP on this host: put TLS in front to set it true
        **{f"{service.package.upper()}_URL": api_url(service) for service in every},
        **DEMO_PACE,
    }


def reads(service: Service[Any]) -> set[str]:
    """The variables its settings read: each field's name, and the other names a field accepts."""
    names = set()
    for name, field in service.settings.model_fields.items():
        names.add(name.upper())
        choices = getattr(field.validation_alias, "choices", ())
        names |= {choice.upper() for choice in choices if isinstance(choice, str)}
    return names


def environment(service: Service[Any], every: list[Service[Any]], kind: str) -> dict[str, str]:
    """What one process of the service is given: who it is, where its roles' URLs are, and what it reads."""
    given = {name: value for name, value in offered(every).items() if name in reads(service)}
    own = {
        "SERVICE_NAME": service.name,
        "DATABASE_SCHEMA": service.package,
        "SECRETS_DIR": ROLES,
        "KAFKA_SASL_USERNAME": service.package,  # its own login (single_host_transport)
    }
    if kind == "worker":
        own["METRICS_PORT"] = str(METRICS_PORT)
    return own | given


def mounts(service: Service[Any], kind: str) -> list[dict[str, Any]]:
    """The shared folder; its roles' URLs, the migration's (the owner's) in the migration alone; its private keys
    (its Kafka login's password at least)."""
    roles = f"{service.package}/{'migrate' if kind == 'migrate' else 'process'}"
    return [volume("shared", SHARED), volume(roles, ROLES), volume(f"{service.package}/keys", KEYS)]


def _process(service: Service[Any], every: list[Service[Any]], kind: str, command: list[str]) -> dict[str, Any]:
    return {
        "image": IMAGE,
        "pull_policy": "never",  # built by `setup`'s entry, never pulled
        "command": [service.package, *command],
        "environment": environment(service, every, kind),
        "volumes": mounts(service, kind),
        **HARDENED,
    }


def _probe(url: str) -> dict[str, Any]:
    """Generous at start: every process imports its whole stack first."""
    check = f"import urllib.request; urllib.request.urlopen({url!r}, timeout=4)"
    return {
        "test": ["CMD", "python", "-c", check],
        "interval": "5s",
        "timeout": "5s",
        "retries": 5,
        "start_period": "300s",  # as `make run` waits: two dozen processes importing at once take minutes
        "start_interval": "5s",
    }


def _done(*names: str) -> dict[str, dict[str, str]]:
    return {name: {"condition": "service_completed_successfully"} for name in names}


def _healthy(*names: str) -> dict[str, dict[str, str]]:
    return {name: {"condition": "service_healthy"} for name in names}


def service_containers(service: Service[Any], every: list[Service[Any]]) -> dict[str, dict[str, Any]]:
    """Its migration (once per start), its API and its worker; both after its migration and identity's (the
    revocation list every API reads), with the broker and the database healthy."""
    after = _done(f"{service.name}-migrate", "identity-migrate") | _healthy("kafka", "postgres")
    if "SMTP_HOST" in reads(service):  # its statements' relay
        after["mail"] = {"condition": "service_started"}
    migrate = _process(service, every, "migrate", ["migrate"]) | {"depends_on": _done("setup"), "restart": "no"}
    api = _process(service, every, "api", ["api", "--host", "0.0.0.0", "--port", str(API_PORT)])
    api |= {
        "ports": [f"127.0.0.1:{service.port}:{API_PORT}"],  # the same addresses as `make run`
        "healthcheck": _probe(f"http://127.0.0.1:{API_PORT}/readyz"),
        "depends_on": after,
        "restart": "unless-stopped",
    }
    worker = _process(service, every, "worker", ["worker"])
    worker |= {
        "healthcheck": _probe(f"http://127.0.0.1:{METRICS_PORT}/readyz"),
        "depends_on": after,
        "restart": "unless-stopped",
    }
    return {f"{service.name}-migrate": migrate, f"{service.name}-api": api, f"{service.name}-worker": worker}


def setup_files(every: list[Service[Any]]) -> dict[str, Any]:
    """`single_host --files`, before the servers start: the keys, the servers' TLS, the Kafka logins."""
    command = ["claimstream_platform.single_host", SETUP, *(service.package for service in every), "--files"]
    return {
        "image": IMAGE,
        "build": {"context": ".", "args": {"VERSION": "${CLAIMSTREAM_VERSION:-0.1.0}"}},
        "pull_policy": "build",
        "command": command,
        "volumes": [f"setup:{SETUP}"],
        "restart": "no",
        **HARDENED,
    }


def setup(every: list[Service[Any]]) -> dict[str, Any]:
    """`single_host` as the database's administrator (the only container given its password) and Kafka's setup
    login, once both answer: the roles, the platform's schemas, the topics, the demo's tenant."""
    command = ["claimstream_platform.single_host", SETUP, *(service.package for service in every), "--demo"]
    login = {"KAFKA_SASL_USERNAME": SETUP_LOGIN, "KAFKA_SASL_PASSWORD_FILE": f"{SETUP}/keys/kafka-setup-password"}
    return {
        "image": IMAGE,
        "pull_policy": "never",
        "command": command,
        "environment": {"DATABASE_URL": ADMIN_URL, **KAFKA_CLIENT, **login},
        "volumes": [f"setup:{SETUP}", volume("shared", SHARED)],  # the authority where every URL says it is
        "depends_on": _healthy("kafka", "postgres"),
        "restart": "no",
        **HARDENED,
    }


def demo_tokens(every: list[Service[Any]]) -> dict[str, Any]:
    """The demo's integrations' tokens, issued by identity's own command as any integration's are (listed and
    revocable in identity), each in the workload's folder."""
    identity = next(service for service in every if service.package == "identity")
    lines = ["set -eu", "umask 077", f"tenant=$$(cat {SHARED}/tenant)"]
    for file, name, role, _ in DEMO_TOKENS:
        issue = shlex.join(issuing("TENANT", name, role)).replace("TENANT", '"$$tenant"')
        lines.append(f"{issue} > {WORKLOAD}/{file}")
    container = _process(identity, every, "api", [])
    container |= {
        "entrypoint": ["/bin/sh", "-c"],
        "command": ["\n".join(lines)],
        "volumes": [*container["volumes"], volume("workload", WORKLOAD, read_only=False)],
        "depends_on": _done("setup", "identity-migrate"),
        "restart": "no",
    }
    return container


def demo_people(every: list[Service[Any]]) -> dict[str, Any]:
    """The demo's people, who sign in to the console (`clearinghouse_simulator.demo_people`), once identity's API
    answers: with identity's settings, whose command invites the operator. Their passwords: its log, and
    workload/console-people."""
    identity = next(service for service in every if service.package == "identity")
    container = _process(identity, every, "api", [])
    arguments = ["--identity", api_url(identity), "--admin-token-file", f"{WORKLOAD}/demo-admin-token"]
    container |= {
        "command": ["clearinghouse_simulator.demo_people", *arguments, "--out", PEOPLE, "--operator"],
        "volumes": [*container["volumes"], volume("workload", WORKLOAD, read_only=False)],
        "depends_on": _done("demo-tokens") | _healthy("identity-api"),
        "restart": "on-failure:5",  # refused or unanswered, it says so and runs again
    }
    return container


def workload(every: list[Service[Any]]) -> dict[str, Any]:
    """The simulated EHRs' encounters at the demo's rate, once every API is healthy; it holds the demo's tokens."""
    by_package = {service.package: service for service in every}
    tokens = {role: f"{WORKLOAD}/{file}" for file, _, role, _ in DEMO_TOKENS}
    admin, biller, ehr = (tokens[role] for role in (Role.TENANT_ADMIN, Role.BILLER, Role.EHR_INTEGRATION))
    env = {f"{package.upper()}_URL": api_url(by_package[package]) for package in sorted(WORKLOAD_PEERS)}
    env |= {
        "SIMULATOR_URL": api_url(by_package["clearinghouse_simulator"]),
        "CLAIMSTREAM_ADMIN_TOKEN_FILE": admin,
        "CLAIMSTREAM_FRONT_DESK_TOKEN_FILE": biller,  # a biller's work includes the front desk's
        "CLAIMSTREAM_EHR_TOKEN_FILE": ehr,
        "SIMULATOR_TOKEN_FILE": f"{SHARED}/clearinghouse-token",
        "DEMO_MAILBOX": "http://mail:8025",  # the patients read their statements there, and pay some
    }
    return {
        "image": IMAGE,
        "command": ["clearinghouse_simulator.workload", "--rate", str(WORKLOAD_RATE)],
        "environment": env,
        "pull_policy": "never",
        "volumes": [volume("shared", SHARED), volume("workload", WORKLOAD)],
        "depends_on": _done("demo-tokens")
        | _healthy(*(f"{service.name}-api" for service in every))
        | {"mail": {"condition": "service_started"}},
        "restart": "unless-stopped",
        **HARDENED,
    }


def rendered(root: Path) -> str:
    every = discover(root / "services")
    containers: dict[str, Any] = dict(infrastructure())
    containers["setup-files"] = setup_files(every)
    containers["setup"] = setup(every)
    for service in every:
        containers |= service_containers(service, every)
    containers["demo-tokens"] = demo_tokens(every)
    containers["demo-people"] = demo_people(every)
    containers["workload"] = workload(every)
    document = {"name": "claimstream", "services": containers, "volumes": dict.fromkeys(VOLUMES)}
    return HEADER + written(document)


def main() -> int:
    path = repository_root() / "docker-compose.yml"
    path.write_text(rendered(repository_root()))
    print(f"{path.name} written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
