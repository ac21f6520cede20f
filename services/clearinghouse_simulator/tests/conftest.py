"""Fixtures for the simulator's service tests: a migrated schema per test and the app against it."""

from collections.abc import AsyncIterator
from uuid import UUID, uuid4

import pytest
from claimstream_platform.testing import Keys, StackUnderTest, app_client, migrated_schema
from clearinghouse_simulator.bootstrap import MIGRATIONS, SimulatorSettings, app
from httpx import AsyncClient


@pytest.fixture
async def schema(stack: StackUnderTest) -> AsyncIterator[str]:
    async with migrated_schema(stack, "sim", MIGRATIONS) as name:
        yield name


@pytest.fixture
async def client(stack: StackUnderTest, schema: str, clearinghouse_keys: Keys) -> AsyncIterator[AsyncClient]:
    settings = SimulatorSettings(
        service_name="clearinghouse-simulator",
        database_url=stack.database_url,
        database_schema=schema,
        kafka_bootstrap_servers=stack.bootstrap_servers,
        auth_public_key_file=clearinghouse_keys.public_key_file,
        sim_seed=11,
    )
    async with app_client(app(settings), settings) as client:
        yield client


@pytest.fixture
def submitter() -> UUID:
    return uuid4()


@pytest.fixture
def auth(clearinghouse_keys: Keys, submitter: UUID) -> dict[str, str]:
    return {"Authorization": f"Bearer {clearinghouse_keys.issuer.issue(tenant_id=submitter)}"}


@pytest.fixture
def operator(clearinghouse_keys: Keys) -> dict[str, str]:
    """The simulator's operator: may run an adjudication cycle on demand."""
    return {"Authorization": f"Bearer {clearinghouse_keys.issuer.issue(tenant_id=uuid4(), roles=['operator'])}"}
