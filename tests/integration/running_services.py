"""Where the services under test answer (a module of its own: several test trees have a conftest), and the keys
identity is started with."""

import secrets
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

import httpx
from claimstream_devtools.testing import Keys
from claimstream_platform.database_roles import ServiceRoles

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
    clearinghouse_auth: dict[str, str]  # claim submission's account at the simulator: its roster, its inbox
    exited: Callable[[], list[str]]  # the service processes that have exited since the session started
    log_dir: Path  # each process's output, one file per service and role
    identity_env: dict[str, str]  # the identity service's process environment, for its commands
    roles: dict[str, ServiceRoles]  # each service's database roles (by package), as its processes connect


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
