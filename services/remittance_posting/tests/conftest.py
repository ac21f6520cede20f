"""Fixtures for remittance posting's service tests: its schema on the session's PostgreSQL, and its app."""

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest
from claimstream_platform.db import UnitOfWork, create_engine
from claimstream_platform.testing import Keys, StackUnderTest, service_client, service_schema, service_settings
from remittance_posting.service import SERVICE
from remittance_testkit import TENANT
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
