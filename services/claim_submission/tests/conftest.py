"""Fixtures for claim submission's service tests: its schema, the app, and the clearinghouse simulator's app
in-process as the far side of the gateway (the real simulator code against its own schema, not a fake)."""

from collections.abc import AsyncIterator

import httpx
import pytest
from claim_submission.gateway import SimulatorGateway
from claim_submission.service import SERVICE
from claims_testkit import CLEARINGHOUSE_ACCOUNT, TENANT
from claimstream_devtools.testing import (
    Keys,
    StackUnderTest,
    service_client,
    service_fixtures,
    service_schema,
    service_settings,
    unused_credential,
)
from clearinghouse_simulator.service import SERVICE as SIMULATOR

schema, engine, make_uow, client = service_fixtures(
    SERVICE, clearinghouse_url="http://sim", clearinghouse_token_file=unused_credential
)


@pytest.fixture
def auth(keys: Keys) -> dict[str, str]:
    return {"Authorization": f"Bearer {keys.issuer.issue(tenant_id=TENANT)}"}


@pytest.fixture
async def simulator(stack: StackUnderTest, clearinghouse_keys: Keys) -> AsyncIterator[httpx.AsyncClient]:
    """The clearinghouse simulator's API, authenticated as this claimstream installation's account there (with the
    simulator's own operator role too, so that tests can run an adjudication cycle)."""
    async with service_schema(stack, SIMULATOR) as name:
        settings = service_settings(SIMULATOR, stack, name, clearinghouse_keys.public_key_file)
        token = clearinghouse_keys.issuer.issue(tenant_id=CLEARINGHOUSE_ACCOUNT, roles=["account", "operator"])
        headers = {"Authorization": f"Bearer {token}"}
        async with service_client(SIMULATOR, settings, base_url="http://sim", headers=headers) as c:
            yield c


@pytest.fixture
def gateway(simulator: httpx.AsyncClient) -> SimulatorGateway:
    return SimulatorGateway(simulator)
