"""Fixtures for the simulator's service tests: a migrated schema per test and the app against it."""

from uuid import UUID, uuid4

import pytest
from claimstream_devtools.testing import Keys, service_fixtures
from clearinghouse_simulator.service import SERVICE

schema, engine, make_uow, client = service_fixtures(SERVICE, keys="clearinghouse_keys", sim_seed=11)


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
