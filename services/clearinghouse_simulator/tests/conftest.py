"""Fixtures for the simulator's service tests: a migrated schema per test and the app against it."""

from collections.abc import AsyncIterator
from uuid import UUID, uuid4

import pytest
from claimstream_platform.testing import Keys, StackUnderTest, service_client, service_schema, service_settings
from clearinghouse_simulator.service import SERVICE
from httpx import AsyncClient


@pytest.fixture
async def schema(stack: StackUnderTest) -> AsyncIterator[str]:
    async with service_schema(stack, SERVICE) as name:
        yield name


@pytest.fixture
async def client(stack: StackUnderTest, schema: str, clearinghouse_keys: Keys) -> AsyncIterator[AsyncClient]:
    settings = service_settings(SERVICE, stack, schema, clearinghouse_keys.public_key_file, sim_seed=11)
    async with service_client(SERVICE, settings) as client:
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
