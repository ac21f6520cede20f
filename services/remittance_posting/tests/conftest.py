"""Fixtures for remittance posting's service tests: its schema on the session's PostgreSQL, and its app."""

import pytest
from claimstream_devtools.testing import Keys, service_fixtures, unused_credential
from remittance_posting.service import SERVICE
from remittance_testkit import PRACTICE, TENANT

schema, engine, make_uow, client = service_fixtures(
    SERVICE, practices={TENANT: [PRACTICE]}, clearinghouse_url="http://sim", clearinghouse_token_file=unused_credential
)


@pytest.fixture
def auth(keys: Keys) -> dict[str, str]:
    return {"Authorization": f"Bearer {keys.issuer.issue(tenant_id=TENANT)}"}
