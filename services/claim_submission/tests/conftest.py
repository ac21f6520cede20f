"""Fixtures for claim submission's service tests: its schema, the app, and the clearinghouse simulator's app
in-process as the far side of the gateway (the real simulator code against its own schema, not a fake)."""

from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from claim_submission.bootstrap import MIGRATIONS, ROUTERS
from claim_submission.gateway import SimulatorGateway
from claims_testkit import CLEARINGHOUSE_ACCOUNT, TENANT
from claimstream_platform.db import UnitOfWork, create_engine
from claimstream_platform.settings import ServiceSettings
from claimstream_platform.testing import Keys, StackUnderTest, app_client, migrated_schema
from claimstream_platform.web import create_app
from clearinghouse_simulator import bootstrap as simulator_bootstrap
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker


@pytest.fixture
async def schema(stack: StackUnderTest) -> AsyncIterator[str]:
    async with migrated_schema(stack, "cs", MIGRATIONS) as name:
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
async def client(stack: StackUnderTest, schema: str, keys: Keys) -> AsyncIterator[httpx.AsyncClient]:
    settings = ServiceSettings(
        service_name="claim-submission", database_url=stack.database_url, database_schema=schema,
        kafka_bootstrap_servers=stack.bootstrap_servers, auth_public_key_file=keys.public_key_file,
    )  # fmt: skip
    async with app_client(create_app(settings, title="claim submission", routers=ROUTERS), settings) as client:
        yield client


@pytest.fixture
async def simulator(stack: StackUnderTest, clearinghouse_keys: Keys) -> AsyncIterator[httpx.AsyncClient]:
    """The clearinghouse simulator's API, authenticated as this claimstream installation (with the operator role,
    so that tests can run an adjudication cycle)."""
    async with migrated_schema(stack, "sim", simulator_bootstrap.MIGRATIONS) as name:
        settings = simulator_bootstrap.SimulatorSettings(
            service_name="clearinghouse-simulator", database_url=stack.database_url, database_schema=name,
            kafka_bootstrap_servers=stack.bootstrap_servers, auth_public_key_file=clearinghouse_keys.public_key_file,
        )  # fmt: skip
        token = clearinghouse_keys.issuer.issue(tenant_id=CLEARINGHOUSE_ACCOUNT, roles=["operator"])
        headers = {"Authorization": f"Bearer {token}"}
        async with app_client(simulator_bootstrap.app(settings), settings, base_url="http://sim", headers=headers) as c:
            yield c


@pytest.fixture
def gateway(simulator: httpx.AsyncClient) -> SimulatorGateway:
    return SimulatorGateway(simulator)
