"""Fixtures for identity's service tests: its schema on the session's PostgreSQL, its app signing with the test
keys, another service's app (`other`) that checks tokens against identity's revocation list, as every service
does, and the access log's key ring in a file."""

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from claimstream_devtools.testing import (
    Keys,
    StackUnderTest,
    app_client,
    register_practices,
    service_client,
    service_fixtures,
    service_settings,
)
from claimstream_platform.access import RateClass
from claimstream_platform.limits import Budget
from claimstream_platform.settings import ServiceSettings
from claimstream_platform.web import create_app
from identity.service import SERVICE
from identity_testkit import AUDIT_RING, OTHER_TENANT, OTHERS_PRACTICE, OUR_PRACTICE, TENANT, other_router

# a practice of each tenant in the platform's registry, for accounts limited to practices
schema, engine, make_uow, _kit_client = service_fixtures(SERVICE)
del _kit_client  # identity's app needs its signing key: `client` below


@pytest.fixture
async def client(stack: StackUnderTest, schema: str, keys: Keys) -> AsyncIterator[httpx.AsyncClient]:
    signing = keys.public_key_file.parent / "signing.pem"
    # a practice of each tenant in the platform's registry, for accounts limited to practices
    await register_practices(stack, {TENANT: [OUR_PRACTICE], OTHER_TENANT: [OTHERS_PRACTICE]})
    # Every test signs in from the same address, within the same minute: the per-address budget is the test's own
    # concern only where a test says so (shared/tests/integration/test_gate.py), not here.
    many = {RateClass.SIGN_IN: Budget(tenant=100_000, client=100_000, window_seconds=60)}
    settings = service_settings(
        SERVICE, stack, schema, keys.public_key_file, identity_signing_key_file=signing, rate_limits=many
    )
    async with service_client(SERVICE, settings) as http:
        yield http


@pytest.fixture
async def other(stack: StackUnderTest, schema: str, keys: Keys) -> AsyncIterator[httpx.AsyncClient]:
    """Another service's API: its own schema elsewhere, identity's revocation list refreshed before a request when
    over 50 ms old."""
    settings = ServiceSettings(
        service_name="other",
        database_url=stack.database_url,
        across_tenants_database_url=stack.database_url,
        database_schema="public",
        kafka_bootstrap_servers=stack.bootstrap_servers,
        auth_public_key_file=keys.public_key_file,
        revocations_schema=schema,
        revocation_refresh_seconds=0.05,
    )
    async with app_client(create_app(settings, title="other", routers=[other_router]), settings) as http:
        yield http


@pytest.fixture
def audit_key_file(tmp_path: Path) -> Path:
    ring = tmp_path / "audit.key"
    ring.write_text("".join(key.secret.hex() + "\n" for key in AUDIT_RING.keys))
    return ring
