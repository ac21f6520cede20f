from collections.abc import AsyncIterator
from uuid import uuid4

import pytest
from claimstream_devtools.schemas_under_test import with_revocation_list
from claimstream_devtools.testing import Keys, StackUnderTest, app_client
from claimstream_platform.engines import create_engine
from claimstream_platform.settings import ServiceSettings
from claimstream_platform.web import create_app
from example.service import create_tables, router
from httpx import AsyncClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker


@pytest.fixture
async def schema(stack: StackUnderTest) -> AsyncIterator[str]:
    """A fresh schema per test, with the example's tables and the platform's outbox, inbox and keys."""
    name = f"t_{uuid4().hex[:12]}"
    admin = create_engine(stack.database_url, schema="public", connections=2)
    async with admin.begin() as connection:
        await connection.execute(text(f"CREATE SCHEMA {name}"))
    engine = create_engine(stack.database_url, schema=name, connections=4)
    await create_tables(engine)
    await engine.dispose()
    await with_revocation_list(stack.database_url, name)
    yield name
    async with admin.begin() as connection:
        await connection.execute(text(f"DROP SCHEMA {name} CASCADE"))
    await admin.dispose()


@pytest.fixture
async def engine(stack: StackUnderTest, schema: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(stack.database_url, schema=schema)
    yield engine
    await engine.dispose()


@pytest.fixture
def sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


@pytest.fixture
def settings(stack: StackUnderTest, schema: str, keys: Keys) -> ServiceSettings:
    return ServiceSettings(
        service_name="example-ledger",
        database_url=stack.database_url,
        across_tenants_database_url=stack.database_url,  # the superuser's schema: no roles of its own
        database_schema=schema,
        kafka_bootstrap_servers=stack.bootstrap_servers,
        auth_public_key_file=keys.public_key_file,
        revocations_schema=schema,
    )


@pytest.fixture
async def client(settings: ServiceSettings) -> AsyncIterator[AsyncClient]:
    async with app_client(create_app(settings, title="example ledger", routers=[router]), settings) as client:
        yield client
