"""Fixtures for the console's tests: its schema on the session's PostgreSQL, and its app in this process, its
session key in the test's folder. The services it calls are at an address nothing listens on: a page that needs
them answers 503, and what these tests check (the door, the cookie, the forms' checks) needs none of them."""

from claimstream_devtools.testing import service_fixtures
from console.service import SERVICE, SERVICES
from console_testkit import key_file

NOBODY = "http://127.0.0.1:9"  # the discard port: connections refused at once

schema, engine, make_uow, client = service_fixtures(
    SERVICE, console_session_key_file=key_file, **{f"{name}_url": NOBODY for name in SERVICES}
)
