"""Fixtures for patient billing's service tests: its schema on the session's PostgreSQL, and its app."""

from claimstream_devtools.testing import service_fixtures
from patient_billing.service import SERVICE
from patient_billing_testkit import OTHER_PRACTICE, OTHER_TENANT, PRACTICE, TENANT

schema, engine, make_uow, client = service_fixtures(
    SERVICE, practices={TENANT: [PRACTICE, OTHER_PRACTICE], OTHER_TENANT: []}
)
