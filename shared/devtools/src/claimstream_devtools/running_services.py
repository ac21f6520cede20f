"""The services under test, run as `make run` runs them (migrate, api and worker processes under the supervisor, on
ports of their own, off the `make run` ones) against a session's real Kafka and PostgreSQL; where they answer, and
the keys identity is started with. The black-box layer (tests/integration) and the reliability layer
(tests/reliability) each start one set per session with `running`."""

import secrets
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AsyncExitStack, asynccontextmanager, contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from uuid import UUID, uuid4

import httpx
from claimstream_platform.database_roles import ServiceRoles

from claimstream_devtools.devstack.payments import payment_env
from claimstream_devtools.devstack.run import identitys_own
from claimstream_devtools.devstack.services import ServiceSpec, Supervisor, local_services
from claimstream_devtools.testing import Keys, StackUnderTest

# The installation's default submitter, for tenants that set none of their own (claim submission's settings).
DEFAULT_SUBMITTER = {
    "DEFAULT_SUBMITTER_ID": "CSTESTBILL",
    "DEFAULT_SUBMITTER_NAME": "CLAIMSTREAM TEST BILLING",
    "DEFAULT_SUBMITTER_CONTACT": "EDI DESK",
    "DEFAULT_SUBMITTER_PHONE": "5035550100",
}


def audit_key_file(keys: Keys) -> Path:
    """The access log's key ring for identity (one key, 32 random bytes in hex: docs/identity.md), beside the
    session's signing key, made on first use."""
    ring = keys.public_key_file.parent / "audit.key"
    if not ring.exists():
        ring.write_text(secrets.token_hex(32) + "\n")
    return ring


@dataclass(frozen=True)
class Services:
    charge_capture: str
    claim_submission: str
    simulator: str
    remittance_posting: str
    denial_management: str
    projection: str
    eligibility: str
    prior_authorization: str
    identity: str
    patient_billing: str
    billing_office: str
    console: str
    clearinghouse_auth: dict[str, str]  # claim submission's account at the simulator: its roster, its inbox
    exited: Callable[[], list[str]]  # the service processes that have exited since the session started
    log_dir: Path  # each process's output, one file per service and role
    identity_env: dict[str, str]  # the identity service's process environment, for its commands
    roles: dict[str, ServiceRoles]  # each service's database roles (by package), as its processes connect
    supervisor: Supervisor  # the processes themselves, for a test that kills one and starts it again


@dataclass(frozen=True)
class Clients:
    """One tenant's HTTP clients for a black-box test."""

    capture: httpx.AsyncClient
    claims: httpx.AsyncClient
    eligibility: httpx.AsyncClient
    authorizations: httpx.AsyncClient
    simulator: httpx.AsyncClient  # as claim submission's clearinghouse account
    projection: httpx.AsyncClient  # as an installation operator (stream health: the consumer lag is theirs)


@asynccontextmanager
async def clients(services: Services, keys: Keys, tenant: UUID) -> AsyncIterator[Clients]:
    headers = {"Authorization": f"Bearer {keys.issuer.issue(tenant_id=tenant)}"}
    operator = {"Authorization": f"Bearer {keys.issuer.issue_operator(subject='operator:integration-tests')}"}

    def client(base_url: str, auth: dict[str, str], timeout: float = 10) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=base_url, headers=auth, timeout=timeout)

    found = Clients(
        client(services.charge_capture, headers),
        client(services.claim_submission, headers),
        client(services.eligibility, headers, 30),
        client(services.prior_authorization, headers, 30),
        client(services.simulator, services.clearinghouse_auth),
        client(services.projection, operator),
    )
    async with AsyncExitStack() as stack:
        for each in vars(found).values():
            await stack.enter_async_context(each)
        yield found


def _environment(
    stack: StackUnderTest, keys: Keys, clearinghouse_keys: Keys, simulator_url: str, clearinghouse_token: Path
) -> dict[str, str]:
    """What every service process is started with: the stack, the public keys, and short cycles for the tests
    (identity's signing key is given to identity's processes alone, as `make run` gives it: `identitys_own`)."""
    return {
        "DATABASE_URL": stack.database_url,
        "KAFKA_BOOTSTRAP_SERVERS": stack.bootstrap_servers,
        "SMTP_HOST": stack.smtp[0],
        "SMTP_PORT": str(stack.smtp[1]),
        "AUTH_PUBLIC_KEY_FILE": str(keys.public_key_file),
        "SIMULATOR_PUBLIC_KEY_FILE": str(clearinghouse_keys.public_key_file),
        "SIM_CYCLE_SECONDS": "1",
        "SIM_BUNDLE_835S": "true",  # several payers' 835s in one file, as clearinghouses deliver them
        "SUBMIT_INTERVAL_SECONDS": "0.5",
        "PENDED_WAIT_SECONDS": "1",  # prior authorization asks a pended 278 again after a second
        "STATEMENT_LOOP_SECONDS": "1",  # patient billing emails a statement within a second
        "REFUND_LOOP_SECONDS": "1",
        "PLAN_LOOP_SECONDS": "1",  # a plan's autopay installment due today is charged within a second
        "INVOICE_LOOP_SECONDS": "1",  # the billing office invoices an ended month within a second
        "STATUS_INQUIRY_LOOP_SECONDS": "1",  # a claim status inquiry asked for goes within a second
        "CLEARINGHOUSE_URL": simulator_url,
        "CLEARINGHOUSE_TOKEN_FILE": str(clearinghouse_token),
        **DEFAULT_SUBMITTER,
    }


def _services(by_package: dict[str, ServiceSpec], account: str, supervisor: Supervisor, logs: Path) -> Services:
    url = {package: spec.url for package, spec in by_package.items()}
    return Services(
        url["charge_capture"],
        url["claim_submission"],
        url["clearinghouse_simulator"],
        url["remittance_posting"],
        url["denial_management"],
        url["projection"],
        url["eligibility"],
        url["prior_authorization"],
        url["identity"],
        url["patient_billing"],
        url["billing_office"],
        url["console"],
        {"Authorization": f"Bearer {account}"},
        partial(_exited, supervisor),
        logs,
        supervisor.process_env(by_package["identity"]),
        supervisor.roles,
        supervisor,
    )


def _exited(supervisor: Supervisor) -> list[str]:
    """The service processes that have exited since the session started."""
    return [f"{c.spec.name} {c.role}" for c in supervisor.children if c.process and c.process.poll() is not None]


@contextmanager
def running(
    stack: StackUnderTest,
    keys: Keys,
    clearinghouse_keys: Keys,
    logs: Path,
    *,
    port_offset: int,
    extra_env: dict[str, str] | None = None,
) -> Iterator[Services]:
    """Every service, found by convention, started and stopped again."""
    by_package = {spec.package: spec for spec in local_services(port_offset=port_offset)}
    clearinghouse_token = logs / "clearinghouse-token"
    account = clearinghouse_keys.issuer.issue(tenant_id=uuid4())
    clearinghouse_token.write_text(account)
    simulator = by_package["clearinghouse_simulator"]
    env = _environment(stack, keys, clearinghouse_keys, simulator.url, clearinghouse_token)
    env |= payment_env(logs / "payments", simulator.url, by_package["patient_billing"].url) | (extra_env or {})
    audit_key_file(keys)  # made on first use, where `identitys_own` names it
    supervisor = Supervisor(env=env, log_dir=logs, only_for=identitys_own(keys.public_key_file.parent))
    try:
        supervisor.start(list(by_package.values()))
        yield _services(by_package, account, supervisor, logs)
    finally:
        supervisor.stop()
