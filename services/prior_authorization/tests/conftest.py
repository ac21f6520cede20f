"""Fixtures for prior authorization's service tests: its schema on the session's PostgreSQL, its app, and a
stand-in for the clearinghouse that answers 278s as a test tells it."""

from pathlib import Path

import httpx
import pytest
from claimstream_devtools.testing import Keys, service_fixtures, unused_credential
from prior_authorization.service import SERVICE
from prior_authorization_testkit import OTHER_PRACTICE, PRACTICE, TENANT, Clearinghouse


def _credential(folder: Path) -> str:
    return str(unused_credential(folder))


schema, engine, make_uow, client = service_fixtures(
    SERVICE,
    practices={TENANT: [PRACTICE, OTHER_PRACTICE]},
    clearinghouse_url="http://clearinghouse.invalid",
    clearinghouse_token_file=_credential,
)


@pytest.fixture
def clearinghouse(client: httpx.AsyncClient) -> Clearinghouse:
    stand_in = Clearinghouse()
    client._transport.app.state.clearinghouse = stand_in  # type: ignore[attr-defined]  # the app under test
    return stand_in


@pytest.fixture
def auth(keys: Keys) -> dict[str, str]:
    return {"Authorization": f"Bearer {keys.issuer.issue(tenant_id=TENANT)}"}


@pytest.fixture
def practice_auth(keys: Keys) -> dict[str, str]:
    """A token for one practice of the tenant only."""
    return {"Authorization": f"Bearer {keys.issuer.issue(tenant_id=TENANT, practice_ids=[PRACTICE])}"}
