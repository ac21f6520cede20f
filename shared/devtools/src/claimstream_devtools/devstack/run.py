"""`make run`: Kafka, PostgreSQL, a demo tenant with its admin's, biller's and EHR's tokens, and every built service,
until Ctrl-C. The demo's tokens are issued by the identity service's own command, like any integration's: identity
lists them and revokes them; identity alone is given the signing key."""

import asyncio
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from uuid import UUID

from claimstream_platform.auth import Role
from claimstream_platform.single_host import (
    DEMO_TOKEN_LIFETIME,
    clearinghouse_token,
    demo_tenant,
    make_keys,
    write_secret,
)

from claimstream_devtools.devstack.payments import payment_env
from claimstream_devtools.devstack.people import demo_people
from claimstream_devtools.devstack.services import ServiceSpec, Supervisor, local_services
from claimstream_devtools.devstack.stack import PROFILES, LocalStack

# The demo tenant's callers: (file, integration's name, role, what it is for). Each carries one role: its work, and
# no more. Each is an integration of the tenant in identity, its tokens issued at every start: the demo's admin too
# (an integration with the tenant-admin role, so a script can set the demo up; a person signs in instead).
DEMO_TOKENS = (
    ("demo-admin-token", "Demo admin", Role.TENANT_ADMIN, "practices, payers, fee schedules, rates, submitter"),
    ("demo-biller-token", "Demo biller", Role.BILLER, "work queues, corrections, appeals, write-offs, ERA uploads"),
    ("demo-ehr-token", "Demo EHR", Role.EHR_INTEGRATION, "encounters from the EHR, and reads of their outcome"),
)
# The demo's pace, here and in docker-compose.yml: what a person watching should see happen within minutes.
DEMO_PACE = {
    "SIM_BUNDLE_835S": "true",  # the demo's clearinghouse delivers every payer's 835s of a cycle in one file
    "PLAN_LOOP_SECONDS": "30",  # the demo's plan charges its first installment within the run (hourly elsewhere)
    # The billing office's calendar runs a day every 10 s: the demo's month ends within minutes and is invoiced.
    "BILLING_CLOCK_SPEED": "8640",
    "INVOICE_LOOP_SECONDS": "10",
    "STATUS_INQUIRY_LOOP_SECONDS": "15",  # the staff's claim status inquiries go within the quarter minute
}
WORKLOAD_RATE = 0.5  # encounters per second: enough to watch, little enough to leave the machine idle


def run_stack() -> int:
    profile = PROFILES["run"]
    stack = LocalStack(profile)
    stopping = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.set())
    started = time.monotonic()
    supervisor: Supervisor | None = None
    try:
        stack.start()
        keys = make_keys(profile.data_dir / "keys")
        tenant_id = asyncio.run(demo_tenant(stack.database_url))
        specs = local_services()
        simulator = next((spec for spec in specs if spec.package == "clearinghouse_simulator"), None)
        clearinghouse_token = _clearinghouse_account(keys, profile.data_dir)
        env = _service_env(stack, keys, simulator, clearinghouse_token)
        env |= payment_env(keys, simulator.url if simulator else "", _url_of(specs, "patient_billing"))
        supervisor = Supervisor(env=env, log_dir=profile.data_dir, only_for=identitys_own(keys))
        supervisor.start(specs)
        token_files = demo_tokens(identitys_env(supervisor, specs), tenant_id, profile.data_dir)
        mailbox = stack.mail.folder if stack.mail is not None else None
        workload = _start_workload(supervisor, specs, token_files, clearinghouse_token, mailbox)
        _print_summary(stack, specs, tenant_id, token_files, time.monotonic() - started)
        _console(supervisor, specs, token_files, profile.data_dir)
        if workload:
            log = profile.data_dir / "clearinghouse-simulator-workload.log"
            print(f"  demo workload  {WORKLOAD_RATE} encounters/s (log: {log})", flush=True)
        while not stopping.wait(1):
            supervisor.keep_alive()
        return 0
    finally:
        print("stopping…", flush=True)
        if supervisor is not None:
            supervisor.stop()
        stack.stop()


def _service_env(
    stack: LocalStack, keys: Path, simulator: ServiceSpec | None, clearinghouse_token: Path
) -> dict[str, str]:
    """What every service process is started with (identity's signing key is not: `identitys_own`)."""
    return {
        "DATABASE_URL": stack.database_url,
        "KAFKA_BOOTSTRAP_SERVERS": stack.bootstrap_servers,
        "SMTP_HOST": stack.smtp[0],
        "SMTP_PORT": str(stack.smtp[1]),
        "AUTH_PUBLIC_KEY_FILE": str(keys / "public.pem"),
        "SIMULATOR_PUBLIC_KEY_FILE": str(keys / "simulator-public.pem"),
        "CLEARINGHOUSE_URL": simulator.url if simulator else "",
        "CLEARINGHOUSE_TOKEN_FILE": str(clearinghouse_token),
        **DEMO_PACE,
    }


def _url_of(specs: list[ServiceSpec], package: str) -> str | None:
    return next((spec.url for spec in specs if spec.package == package), None)


def identitys_own(keys: Path) -> dict[str, dict[str, str]]:
    """What the identity service's processes alone are given: the signing key (every other service verifies) and
    the access log's key (its worker chains the log)."""
    return {
        "identity": {
            "IDENTITY_SIGNING_KEY_FILE": str(keys / "signing.pem"),
            "IDENTITY_AUDIT_KEY_FILE": str(keys / "audit.key"),
        }
    }


def identitys_env(supervisor: Supervisor, specs: list[ServiceSpec]) -> dict[str, str] | None:
    """The identity service's process environment, for its commands (None: identity is not built)."""
    identity = next((spec for spec in specs if spec.package == "identity"), None)
    return supervisor.process_env(identity) if identity is not None else None


def issuing(tenant: str, name: str, role: Role) -> list[str]:
    """identity's command that issues one demo caller's token: `make run`'s, Compose's and the cluster's demo's."""
    command = ["python", "-m", "identity", "issue-integration", "--tenant", tenant, "--name", name]
    return command + ["--role", str(role), "--days", str(DEMO_TOKEN_LIFETIME.days)]


def demo_tokens(identity_env: dict[str, str] | None, tenant_id: UUID, data_dir: Path) -> dict[Role, Path]:
    """One token per demo caller, in its own file, by its role: issued by identity's command to the tenant's
    integration of that name (made at the first start), so the tenant's admin sees and may revoke each."""
    files: dict[Role, Path] = {}
    for file, name, role, _ in DEMO_TOKENS if identity_env is not None else ():
        command = [sys.executable, *issuing(str(tenant_id), name, role)[1:]]
        issued = subprocess.run(command, env=identity_env, capture_output=True, text=True, check=False)
        if issued.returncode != 0:  # the demo's admin disabled it, say: no token, and no workload
            print(f"  {file}: not issued ({issued.stderr.strip()})", flush=True)
            continue
        write_secret(data_dir / file, issued.stdout)
        files[role] = data_dir / file
    return files


def _clearinghouse_account(keys: Path, data_dir: Path) -> Path:
    """claimstream's account at the simulated clearinghouse, issued at every start (`single_host`)."""
    token = data_dir / "clearinghouse-token"
    write_secret(token, clearinghouse_token(keys))
    return token


def _console(supervisor: Supervisor, specs: list[ServiceSpec], tokens: dict[Role, Path], folder: Path) -> None:
    """The console's address and the demo's people who sign in to it (`people.py`), with their passwords."""
    console, identity = _url_of(specs, "console"), _url_of(specs, "identity")
    identity_env = identitys_env(supervisor, specs)
    if console is None or identity is None or identity_env is None or Role.TENANT_ADMIN not in tokens:
        return
    people = demo_people(identity_env, identity, tokens[Role.TENANT_ADMIN], folder)
    if not people.exists():
        return
    print(f"  console      {console}  (sign in as one of these; the passwords are kept in {people}):", flush=True)
    for line in people.read_text().splitlines():
        print(f"    {line}", flush=True)


# The services the workload drives, each through its public API at <PACKAGE>_URL, when it runs.
WORKLOAD_PEERS = frozenset(
    {
        "charge_capture",
        "claim_submission",
        "remittance_posting",
        "eligibility",
        "prior_authorization",
        "patient_billing",
        "billing_office",
    }
)


def _start_workload(
    supervisor: Supervisor,
    specs: list[ServiceSpec],
    tokens: dict[Role, Path],
    simulator_token: Path,
    mailbox: Path | None,
) -> bool:
    """A gentle stream of encounters from the simulated EHRs, once charge capture and the simulator both exist; its
    patients read the statements the mail sink keeps (`mailbox`) and pay some online."""
    by_package = {spec.package: spec for spec in specs}
    if "charge_capture" not in by_package or "clearinghouse_simulator" not in by_package:
        return False
    if any(role not in tokens for _, _, role, _ in DEMO_TOKENS):
        return False
    simulator = by_package["clearinghouse_simulator"]
    supervisor.env.update(
        **{f"{package.upper()}_URL": spec.url for package, spec in by_package.items() if package in WORKLOAD_PEERS},
        **({"DEMO_MAILBOX": str(mailbox)} if mailbox is not None else {}),
        SIMULATOR_URL=simulator.url,
        CLAIMSTREAM_ADMIN_TOKEN_FILE=str(tokens[Role.TENANT_ADMIN]),
        CLAIMSTREAM_FRONT_DESK_TOKEN_FILE=str(tokens[Role.BILLER]),  # a biller's work includes the front desk's
        CLAIMSTREAM_EHR_TOKEN_FILE=str(tokens[Role.EHR_INTEGRATION]),
        SIMULATOR_TOKEN_FILE=str(simulator_token),
    )
    module = "clearinghouse_simulator.workload"
    supervisor.also_run(simulator, "workload", [sys.executable, "-m", module, "--rate", str(WORKLOAD_RATE)])
    return True


def _print_summary(
    stack: LocalStack, specs: list[ServiceSpec], tenant_id: UUID, tokens: dict[Role, Path], seconds: float
) -> None:
    print(f"\nclaimstream is up ({seconds:.1f} s)", flush=True)
    print(
        f"  kafka        {stack.bootstrap_servers}"
        + (f"  (broker started in {stack.kafka_start_seconds:.1f} s)" if stack.kafka_start_seconds else "")
    )
    print(f"  postgresql   {stack.database_url.split('@')[-1]}")
    if stack.mail is not None:
        print(f"  smtp sink    127.0.0.1:{stack.mail.port}  (every message kept in {stack.mail.folder})")
    for spec in specs:
        print(f"  {spec.name:<24} {spec.url}")
    if not specs:
        print("  (no services are built yet)")
    print(f"  demo tenant  {tenant_id}; its tokens (use: Authorization: Bearer $(cat <file>)):")
    for _, name, role, work in DEMO_TOKENS:
        if role in tokens:
            print(f"    {role:<16} {tokens[role]}  ({work}; identity's integration {name!r})")
    print("  another tenant and its tokens, against this stack (no settings needed):")
    print('    .venv/bin/claimstream-dev admin create-tenant "Acme Billing"')
    print(
        "    .venv/bin/claimstream-dev identity issue-integration --tenant <id printed above> --name 'EHR feed'"
        " --role ehr-integration"
    )
    print(
        "    .venv/bin/claimstream-dev identity create-operator --email <you> --name <you>  (an installation"
        " operator: accept the invitation, then POST /v1/operators/sign-in)"
    )
    print("Ctrl-C stops everything; data stays in .data/run until `make clean`.", flush=True)
