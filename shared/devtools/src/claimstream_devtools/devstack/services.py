"""The services of the local stack and a small supervisor that keeps their processes up.

Each service is a package with `python -m <package> migrate|api|worker`, declared for the service kit (its
`service.py` names its port); the ones installed in this checkout are found by convention and started, so the
stack grows as services are built.

The supervisor is given an administrator's DATABASE_URL and never passes it on: each service gets roles of its
own (`claimstream_platform.database_roles`, fresh passwords at every start), its migrations run as its owner
role (MIGRATION_DATABASE_URL; every service's in one process, `migrations.py`) and its processes as its app role
(DATABASE_URL), under row-level security, with its across-tenants role (ACROSS_TENANTS_DATABASE_URL) for the
paths that cross tenants on purpose. What one service alone may hold (identity's signing key) is given to that
service's processes only (`only_for`).
"""

import asyncio
import http.client
import importlib.util
import json
import os
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from claimstream_platform.database_roles import ServiceRoles, ensure_roles
from claimstream_platform.kit import discover
from cryptography.fernet import Fernet

from claimstream_devtools.devstack import migrations
from claimstream_devtools.devstack.processes import terminate, wait_until


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    package: str
    default_port: int

    @property
    def port(self) -> int:
        return int(os.environ.get(f"{self.package.upper()}_PORT", self.default_port))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def installed(self) -> bool:
        return importlib.util.find_spec(self.package) is not None


STARTUP_SECONDS = 300  # for all of them together
METRICS_PORT_OFFSET = 1000  # a worker serves /metrics on its API's port + 1000 (8004 -> 9004)


def local_services(*, port_offset: int = 0) -> list[ServiceSpec]:
    """Every installed service of this checkout, from its declaration; tests and benches offset the ports so that
    they run beside `make run`."""
    from claimstream_devtools.devstack.stack import repository_root

    return [ServiceSpec(s.name, s.package, s.port + port_offset) for s in discover(repository_root() / "services")]


@dataclass
class Supervised:
    spec: ServiceSpec
    role: str
    command: list[str]
    process: subprocess.Popen[bytes] | None = None
    restarts: int = 0
    next_start: float = 0.0


@dataclass
class Supervisor:
    env: dict[str, str]
    log_dir: Path
    only_for: dict[str, dict[str, str]] = field(default_factory=dict)  # package: variables for its processes alone
    children: list[Supervised] = field(default_factory=list)
    roles: dict[str, ServiceRoles] = field(default_factory=dict)

    def start(self, specs: list[ServiceSpec], *, workers: bool = True) -> None:
        """Each service's API and (unless `workers` is False: a bench that measures the APIs alone) its worker.
        Every process is told where each service answers (`<PACKAGE>_URL`: the console calls them all)."""
        self.env.update({f"{spec.package.upper()}_URL": spec.url for spec in specs})
        if any(spec.package == "console" for spec in specs):
            self.only_for.setdefault("console", {}).update(consoles_own(self.log_dir))
        for spec in specs:
            self.roles[spec.package] = asyncio.run(ensure_roles(self.env["DATABASE_URL"], spec.package))
        plan = [(spec.package, self.process_env(spec)) for spec in specs]
        subprocess.run([sys.executable, "-m", migrations.__name__], input=json.dumps(plan), text=True, check=True)
        for spec in specs:
            self.children.append(
                Supervised(spec, "api", [sys.executable, "-m", spec.package, "api", "--port", str(spec.port)])
            )
            if workers:
                self.children.append(Supervised(spec, "worker", [sys.executable, "-m", spec.package, "worker"]))
        for child in self.children:
            self._launch(child)
        # Every process imports its stack at once: on a small or busy machine that takes minutes, not seconds.
        deadline = time.monotonic() + STARTUP_SECONDS
        for spec in specs:
            wait_until(partial(_ready, spec.url), timeout=max(deadline - time.monotonic(), 5), what=f"{spec.name} API")

    def also_run(self, spec: ServiceSpec, role: str, command: list[str]) -> None:
        """Supervise one more process beside the services (the demo workload)."""
        child = Supervised(spec, role, command)
        self.children.append(child)
        self._launch(child)

    def keep_alive(self) -> None:
        """Restart any child that exited, with a growing delay so a crash loop does not spin."""
        now = time.monotonic()
        for child in self.children:
            if child.process is not None and child.process.poll() is not None and now >= child.next_start:
                child.restarts += 1
                child.next_start = now + min(2**child.restarts, 60)
                print(f"{child.spec.name} {child.role} exited ({child.process.returncode}); restarting", flush=True)
                self._launch(child)

    def revive(self) -> list[str]:
        """Start again at once every child that has exited (a test's kill -9), without keep_alive's growing delay;
        returns which ("<service> <role>")."""
        exited = [c for c in self.children if c.process is not None and c.process.poll() is not None]
        for child in exited:
            self._launch(child)
        return [f"{c.spec.name} {c.role}" for c in exited]

    def stop(self) -> None:
        for child in self.children:
            if child.process is not None:
                terminate(child.process, timeout=20)

    def _launch(self, child: Supervised) -> None:
        log = (self.log_dir / f"{child.spec.name}-{child.role}.log").open("ab")
        env = self.process_env(child.spec, child.role)
        child.process = subprocess.Popen(child.command, env=env, stdout=log, stderr=subprocess.STDOUT)

    def process_env(self, spec: ServiceSpec, role: str = "api") -> dict[str, str]:
        """A process's environment: the stack's, the service's own roles, and what is given to this service alone
        (removed for every other, even when the supervisor's own environment carries it)."""
        env = {**os.environ, **self.env, "SERVICE_NAME": spec.name, "DATABASE_SCHEMA": spec.package}
        for name in {name for variables in self.only_for.values() for name in variables}:
            env.pop(name, None)
        env.update(self.only_for.get(spec.package, {}))
        roles = self.roles.get(spec.package)
        if roles is not None:  # a process beside the services (the demo workload) gets no database at all
            env.update(
                DATABASE_URL=roles.app_url,
                MIGRATION_DATABASE_URL=roles.owner_url,
                ACROSS_TENANTS_DATABASE_URL=roles.across_url,
            )
        else:
            env.pop("DATABASE_URL", None)
        if role == "worker":  # the worker's /metrics, beside its API's port
            env["METRICS_PORT"] = str(spec.port + METRICS_PORT_OFFSET)
        return env


def consoles_own(folder: Path) -> dict[str, str]:
    """What the console's processes alone are given: the key that seals its sessions' tokens at rest (made once in
    the stack's folder), and plain-HTTP cookies: the local stack serves no TLS."""
    key = folder / "console-session.key"
    if not key.exists():  # made readable by its owner alone from the start
        with os.fdopen(os.open(key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as made:
            made.write(Fernet.generate_key())
    return {"CONSOLE_SESSION_KEY_FILE": str(key), "CONSOLE_SECURE_COOKIE": "false"}


def _ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/readyz", timeout=2) as response:
            return bool(response.status == 200)
    except (OSError, http.client.HTTPException):  # not listening yet, or not HTTP (a socket connected to itself)
        return False
