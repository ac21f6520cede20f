"""Fixtures for the billing office's service tests: its schema on the session's PostgreSQL, and its app."""

from billing_office.service import SERVICE
from billing_office_testkit import OTHER_PRACTICE, OTHER_TENANT, PRACTICE, TENANT
from claimstream_devtools.testing import service_fixtures

schema, engine, make_uow, client = service_fixtures(
    SERVICE, practices={TENANT: [PRACTICE, OTHER_PRACTICE], OTHER_TENANT: []}
)
