"""Fixtures for patient billing's service tests: its schema on the session's PostgreSQL, and its app, with its
payment secrets in the test's folder (the processor itself is a stand-in there: `processor_url` answers nothing)."""

from claimstream_devtools.testing import service_fixtures
from patient_billing.service import SERVICE
from patient_billing_testkit import OTHER_PRACTICE, OTHER_TENANT, PRACTICE, TENANT, secret

schema, engine, make_uow, client = service_fixtures(
    SERVICE,
    practices={TENANT: [PRACTICE, OTHER_PRACTICE], OTHER_TENANT: []},
    statement_link_key_file=secret("statement-link.key"),
    processor_api_key_file=secret("processor-api.key"),
    processor_webhook_secret_file=secret("processor-webhook.secret"),
    processor_url="http://127.0.0.1:9",
)
