"""Issue 29: docker-compose.yml, checked where no Compose plugin runs it. The file is what the services' declarations
give (`python -m claimstream_devtools.compose`); it holds every service's migration, API and worker, the simulator
and the demo's workload, in a start order each step of which waits on a health check or a finished step; no
credential is defaulted; each process is given what its service's settings need, so that each validates from it;
and each mounts only its own secrets (docs/deploy.md, "Docker Compose")."""

import os
import re
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
import yaml
from claimstream_devtools.compose import rendered
from claimstream_devtools.compose_infrastructure import BROKER, KEYS, ROLES, SETUP, SHARED, WORKLOAD
from claimstream_devtools.devstack.kafka import SaslSslListener
from claimstream_platform import single_host
from claimstream_platform.kit import discover

ROOT = Path(__file__).resolve().parents[2]
TEXT = (ROOT / "docker-compose.yml").read_text()
COMPOSE = yaml.safe_load(TEXT)
CONTAINERS: dict[str, dict[str, Any]] = COMPOSE["services"]
SERVICES = list(discover(ROOT / "services"))
OURS = {name for name, container in CONTAINERS.items() if container.get("image") == "claimstream:local"}


def test_the_file_is_what_the_declarations_give() -> None:
    assert TEXT == rendered(ROOT), "docker-compose.yml is stale: run python -m claimstream_devtools.compose"


def test_it_runs_every_service_the_simulator_and_the_demo() -> None:
    expected = {"kafka", "postgres", "mail", "setup-files", "setup", "demo-tokens", "demo-people", "workload"}
    expected |= {f"{service.name}-{kind}" for service in SERVICES for kind in ("migrate", "api", "worker")}
    assert set(CONTAINERS) == expected
    assert "clearinghouse-simulator-api" in CONTAINERS
    assert CONTAINERS["workload"]["command"][0] == "clearinghouse_simulator.workload"
    for service in SERVICES:
        assert CONTAINERS[f"{service.name}-api"]["command"][:2] == [service.package, "api"]
        assert CONTAINERS[f"{service.name}-worker"]["command"] == [service.package, "worker"]
        assert CONTAINERS[f"{service.name}-migrate"]["command"] == [service.package, "migrate"]
        assert CONTAINERS[f"{service.name}-api"]["ports"] == [f"127.0.0.1:{service.port}:8080"]


def _waits(name: str) -> dict[str, str]:
    return {other: rule["condition"] for other, rule in CONTAINERS[name].get("depends_on", {}).items()}


def test_each_step_waits_for_a_health_check_or_a_finished_step() -> None:
    assert _waits("setup-files") == {}  # the files first: the servers' TLS and the logins they start with
    assert _waits("kafka") == _waits("postgres") == {"setup-files": "service_completed_successfully"}
    assert _waits("setup") == {"kafka": "service_healthy", "postgres": "service_healthy"}
    for service in SERVICES:
        assert _waits(f"{service.name}-migrate") == {"setup": "service_completed_successfully"}
        for kind in ("api", "worker"):
            waits = _waits(f"{service.name}-{kind}")
            assert waits[f"{service.name}-migrate"] == "service_completed_successfully"
            assert waits["identity-migrate"] == "service_completed_successfully"  # the revocation list
            assert waits["kafka"] == waits["postgres"] == "service_healthy"
    assert _waits("demo-tokens") == {
        "setup": "service_completed_successfully",
        "identity-migrate": "service_completed_successfully",
    }
    assert _waits("demo-people") == {
        "demo-tokens": "service_completed_successfully",
        "identity-api": "service_healthy",
    }
    assert CONTAINERS["demo-people"]["command"][0] == "clearinghouse_simulator.demo_people"
    assert _waits("workload") == {"demo-tokens": "service_completed_successfully", "mail": "service_started"} | {
        f"{service.name}-api": "service_healthy" for service in SERVICES
    }
    for name in CONTAINERS:
        for other, condition in _waits(name).items():
            assert other in CONTAINERS, f"{name} waits for {other}, which is not in the file"
            if condition == "service_healthy":
                assert "healthcheck" in CONTAINERS[other], f"{name} waits for {other}'s health, which has no check"
            elif condition == "service_completed_successfully":
                assert CONTAINERS[other].get("restart") == "no", f"{other} is a step: it runs once"
            else:  # the mail sink: started is enough, its image checks its own health
                assert (other, condition) == ("mail", "service_started"), f"{name} waits for {other} to start alone"
    _assert_no_cycle()


def _assert_no_cycle() -> None:
    done: set[str] = set()
    while len(done) < len(CONTAINERS):
        ready = {name for name in CONTAINERS if name not in done and set(_waits(name)) <= done}
        assert ready, f"these wait on each other: {sorted(set(CONTAINERS) - done)}"
        done |= ready


def test_the_apis_and_workers_are_checked_by_their_own_endpoints() -> None:
    for service in SERVICES:
        api = " ".join(CONTAINERS[f"{service.name}-api"]["healthcheck"]["test"])
        worker = " ".join(CONTAINERS[f"{service.name}-worker"]["healthcheck"]["test"])
        assert "http://127.0.0.1:8080/readyz" in api and "http://127.0.0.1:9090/readyz" in worker
        assert CONTAINERS[f"{service.name}-worker"]["environment"]["METRICS_PORT"] == "9090"


def test_no_credential_is_defaulted_and_only_setup_holds_the_administrators() -> None:
    interpolated = re.findall(r"\$\{([^}]*)\}", TEXT)
    assert interpolated, "the administrator's password comes from .env"
    for expression in interpolated:
        name = re.split(r"[:?-]", expression)[0]
        assert "PASSWORD" not in name or ":?" in expression, f"${{{expression}}} may be defaulted or empty"
    holders = [name for name in CONTAINERS if "POSTGRES_PASSWORD" in yaml.safe_dump(CONTAINERS[name])]
    assert sorted(holders) == ["postgres", "setup"]
    for name in OURS - {"setup"}:
        assert not {"DATABASE_URL", "MIGRATION_DATABASE_URL"} & set(CONTAINERS[name].get("environment", {})), name
    assert not re.search(r"(?i)password\s*[:=]\s*['\"]?\w", TEXT.replace("POSTGRES_PASSWORD: ${", ""))


def _owner(name: str) -> str:
    """The package whose process a container runs (the demo's tokens and people are identity's commands')."""
    packages = {service.name: service.package for service in SERVICES}
    return "identity" if name in ("demo-tokens", "demo-people") else packages[name.rsplit("-", 1)[0]]


def test_each_container_mounts_its_own_secrets_read_only_and_runs_locked_down() -> None:
    for name in OURS:
        container = CONTAINERS[name]
        assert container["read_only"] is True and container["cap_drop"] == ["ALL"], name
        assert container["security_opt"] == ["no-new-privileges:true"], name
        if name in ("setup", "setup-files"):
            assert container["volumes"][0] == f"setup:{SETUP}", name
            continue
        mounts = {m["target"]: m for m in container["volumes"]}
        assert mounts[SHARED]["volume"]["subpath"] == "shared" and mounts[SHARED]["read_only"]
        if name != "workload":
            package, kind = _owner(name), "migrate" if name.endswith("-migrate") else "process"
            assert mounts[ROLES]["volume"]["subpath"] == f"{package}/{kind}", name  # the owner's: migrations alone
            assert mounts[KEYS]["volume"]["subpath"] == f"{package}/keys", name
        writable = [target for target, mount in mounts.items() if not mount["read_only"]]
        assert writable == ([WORKLOAD] if name in ("demo-tokens", "demo-people") else []), name
    for name in ("kafka", "postgres", "mail", *(f"{s.name}-api" for s in SERVICES)):
        assert all(port.startswith("127.0.0.1:") for port in CONTAINERS[name].get("ports", [])), name
    assert "--demo" in CONTAINERS["setup"]["command"] and "--files" in CONTAINERS["setup-files"]["command"]


def test_a_private_key_reaches_its_holders_alone() -> None:
    for variable, holder in (
        ("IDENTITY_SIGNING_KEY_FILE", "identity"),
        ("CONSOLE_SESSION_KEY_FILE", "console"),
        ("STATEMENT_LINK_KEY_FILE", "patient_billing"),
    ):
        given = {name for name in OURS if variable in CONTAINERS[name].get("environment", {})}
        assert given and {_owner(name) for name in given} == {holder}, (variable, given)
    for name in OURS - {"setup", "setup-files", "workload"}:
        keys = {m["volume"]["subpath"] for m in CONTAINERS[name]["volumes"] if m["target"] == KEYS}
        assert keys <= {f"{_owner(name)}/keys"}, f"{name} mounts another service's keys"


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The setup volume as `single_host` leaves it, but for the roles' URLs (no database here: made alike, with the
    TLS the administrator's URL carries)."""
    folder = tmp_path_factory.mktemp("setup")
    schemas = [service.package for service in SERVICES]
    single_host.make_files(folder, schemas)
    tls = CONTAINERS["setup"]["environment"]["DATABASE_URL"].rsplit("?", 1)[1]
    for schema in schemas:
        for kind, settings in single_host.ROLE_FILES.items():
            (folder / schema / kind).mkdir(parents=True, exist_ok=True)
            for role, setting in settings:
                url = f"postgresql+asyncpg://{schema}_{role}:{os.urandom(12).hex()}@postgres:5432/claimstream?{tls}"
                (folder / schema / kind / setting).write_text(url.replace(SHARED, str(folder / "shared")))
    (folder / "shared" / "clearinghouse-token").write_text("a token\n")
    return folder


def _as_mounted(container: dict[str, Any], folder: Path) -> dict[str, str]:
    """The container's environment, its mounted folders' paths taken to where `made` keeps them."""
    places = {m["target"]: folder / m["volume"]["subpath"] for m in container["volumes"]}
    env = {}
    for name, value in container["environment"].items():
        for target, place in places.items():
            value = str(value).replace(target, str(place))
        env[name] = value
    return env


def test_each_process_s_settings_validate_from_what_it_is_given(made: Path) -> None:
    for service in SERVICES:
        for kind in ("migrate", "api", "worker"):
            env = _as_mounted(CONTAINERS[f"{service.name}-{kind}"], made)
            with mock.patch.dict(os.environ, env, clear=True):
                settings = service.settings()
            assert settings.database_schema == service.package
            assert settings.database_url.get_secret_value().startswith(f"postgresql+asyncpg://{service.package}_app:")
            if kind == "migrate":
                assert f"//{service.package}_owner:" in settings.migration_url
            else:
                assert f"//{service.package}_across:" in settings.across_tenants_url
                assert settings.migration_database_url is None, "only the migration holds the owner's URL"


def test_the_workload_is_given_every_setting_it_reads() -> None:
    source = (ROOT / "services/clearinghouse_simulator/src/clearinghouse_simulator/workload.py").read_text()
    read = set(re.findall(r"os\.environ\[\"(\w+)\"\]", source)) | set(
        re.findall(r"os\.environ\.get\(\"(\w+)\"", source)
    )
    assert read
    missing = read - set(CONTAINERS["workload"]["environment"])
    assert not missing, missing


def _as_the_image_writes(environment: dict[str, Any]) -> set[str]:
    """apache/kafka's rule: KAFKA_X_Y is the setting x.y, `___` is `-` and `__` is `_` (its KafkaDockerWrapper)."""
    settings = set()
    for name, value in environment.items():
        key = name.removeprefix("KAFKA_").lower().replace("_", ".").replace("...", "-").replace("..", "_")
        settings.add(f"{key}={value}")
    return settings


def test_the_broker_takes_the_tested_sasl_ssl_listener_s_settings_and_keeps_the_rest_to_itself() -> None:
    kafka = CONTAINERS["kafka"]
    written = _as_the_image_writes(kafka["environment"])
    tested = SaslSslListener(9092, mock.Mock(), {}).properties(Path(f"{BROKER}/server.pem"))
    tested = [line.replace("listener.name.sasl_ssl.", "listener.name.clients.") for line in tested]
    assert set(tested) <= written, set(tested) - written  # the listener devstack/kafka.py runs in the SASL_SSL tests
    env = kafka["environment"]
    listeners = dict(item.split("://") for item in env["KAFKA_LISTENERS"].split(","))
    protocols = dict(item.split(":") for item in env["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"].split(","))
    assert protocols == {"CLIENTS": "SASL_SSL", "CONTROLLER": "PLAINTEXT", "INTERNAL": "PLAINTEXT"}
    assert listeners["CLIENTS"] == ":9092"  # the plain ones answer on the broker's own loopback alone
    assert all(listeners[name].startswith("127.0.0.1:") for name in ("CONTROLLER", "INTERNAL"))
    # The image's start script asks JKS files of an advertised `...SSL://` listener, and more of a `SASL_...://` one
    advertised = env["KAFKA_ADVERTISED_LISTENERS"]
    assert "SSL://" not in advertised and "SASL_" not in advertised
    assert "ports" not in kafka and f"< {BROKER}/logins" in kafka["command"][-1]


def test_every_process_reaches_the_broker_and_the_database_over_tls_with_a_login_of_its_own(made: Path) -> None:
    logins = {line.split()[0] for line in (made / "kafka" / "logins").read_text().splitlines()}
    users = set()
    for name in OURS - {"setup-files", "workload"}:
        env = CONTAINERS[name]["environment"]
        assert env["KAFKA_SECURITY_PROTOCOL"] == "SASL_SSL" and env["KAFKA_CA_FILE"] == f"{SHARED}/ca.crt", name
        users.add(env["KAFKA_SASL_USERNAME"])
        if name != "setup":
            assert env["KAFKA_SASL_USERNAME"] == _owner(name) and env["KAFKA_SASL_PASSWORD_FILE"].startswith(KEYS)
    assert users <= logins and len(users) == len(SERVICES) + 1
    assert CONTAINERS["setup"]["environment"]["DATABASE_URL"].endswith(
        f"?sslmode=verify-full&sslrootcert={SHARED}/ca.crt"
    )
    assert "ssl=on" in CONTAINERS["postgres"]["command"][-1] and "hba_file=" in CONTAINERS["postgres"]["command"][-1]
    rules = [line.split() for line in (made / "postgres" / "pg_hba.conf").read_text().splitlines()]
    assert [rule[0] for rule in rules] == ["local", "hostssl"], "over TCP, TLS alone"
