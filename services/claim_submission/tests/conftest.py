"""Fixtures for claim submission's service tests: its schema, the app, and the clearinghouse simulator's app
in-process as the far side of the gateway (the real simulator code against its own schema, not a fake)."""

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest
from claim_submission.gateway import SimulatorGateway
from claim_submission.service import SERVICE
from claims_testkit import CLEARINGHOUSE_ACCOUNT, TENANT
from claimstream_platform.db import UnitOfWork, create_engine
from claimstream_platform.testing import Keys, StackUnderTest, service_client, service_schema, service_settings
from clearinghouse_simulator.service import SERVICE as SIMULATOR
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker


@pytest.fixture
async def schema(stack: StackUnderTest) -> AsyncIterator[str]:
    async with service_schema(stack, SERVICE) as name:
        yield name


@pytest.fixture
async def engine(stack: StackUnderTest, schema: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(stack.database_url, schema=schema, pool_size=3)
    yield engine
    await engine.dispose()


@pytest.fixture
def make_uow(engine: AsyncEngine) -> Callable[[], UnitOfWork]:
    sessionmaker: async_sessionmaker[AsyncSession] = async_sessionmaker(engine, expire_on_commit=False)
    return lambda: UnitOfWork(sessionmaker)


@pytest.fixture
def auth(keys: Keys) -> dict[str, str]:
    return {"Authorization": f"Bearer {keys.issuer.issue(tenant_id=TENANT)}"}


@pytest.fixture
async def client(stack: StackUnderTest, schema: str, keys: Keys, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    (tmp_path / "clearinghouse-token").write_text("unused: the API never calls the clearinghouse")
    settings = service_settings(SERVICE, stack, schema, keys.public_key_file, clearinghouse_url="http://sim",
                                clearinghouse_token_file=tmp_path / "clearinghouse-token")  # fmt: skip
    async with service_client(SERVICE, settings) as client:
        yield client


@pytest.fixture
async def simulator(stack: StackUnderTest, clearinghouse_keys: Keys) -> AsyncIterator[httpx.AsyncClient]:
    """The clearinghouse simulator's API, authenticated as this claimstream installation (with the operator role,
    so that tests can run an adjudication cycle)."""
    async with service_schema(stack, SIMULATOR) as name:
        settings = service_settings(SIMULATOR, stack, name, clearinghouse_keys.public_key_file)
        token = clearinghouse_keys.issuer.issue(tenant_id=CLEARINGHOUSE_ACCOUNT, roles=["operator"])
        headers = {"Authorization": f"Bearer {token}"}
        async with service_client(SIMULATOR, settings, base_url="http://sim", headers=headers) as c:
            yield c


@pytest.fixture
def gateway(simulator: httpx.AsyncClient) -> SimulatorGateway:
    return SimulatorGateway(simulator)
