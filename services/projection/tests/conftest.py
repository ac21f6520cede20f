"""Fixtures for the projection's service tests: its schema on the session's PostgreSQL, and its app."""

import pytest
from claimstream_devtools.testing import Keys, service_fixtures
from projection.service import SERVICE
from projection_testkit import TENANT

schema, engine, make_uow, client = service_fixtures(SERVICE)


@pytest.fixture
def auth(keys: Keys) -> dict[str, str]:
    return {"Authorization": f"Bearer {keys.issuer.issue(tenant_id=TENANT)}"}
