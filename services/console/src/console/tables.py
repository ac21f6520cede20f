"""The console keeps no business data. Its schema holds the platform's tables (the idempotency keys of its own
requests, an empty outbox and inbox), so it runs on the kit like every service, and one table of its own: the
signed-in people's sessions (session.py, `repository.SessionStore`).

`sessions` has no `tenant_id`, so no tenant wall (`claimstream_platform.migrate.wall_tenant_tables` walls only the
tables with one): a session is found by its secret id before anyone, tenant or operator, is known, as identity's
`sign_in_failures` is found by an email's hash. What stands in for the wall: a row is reached only by the SHA-256
of an id that only its cookie carries, and its token is sealed under the console's key."""

from claimstream_platform.db import NAMING_CONVENTION
from sqlalchemy import CHAR, Boolean, Column, DateTime, Index, MetaData, String, Table, Text

metadata = MetaData(naming_convention=NAMING_CONVENTION)

sessions = Table(
    "sessions",
    metadata,
    Column("id_sha256", CHAR(64), primary_key=True),  # the cookie's id hashed (`session.key_of`): never the id
    Column("token", Text, nullable=False),  # the person's token, sealed (Fernet) under CONSOLE_SESSION_KEY_FILE
    Column("operator", Boolean, nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),  # the token's end
    Column("seen_at", DateTime(timezone=True), nullable=False),  # written about once a minute at most
    Column("csrf", String(64), nullable=False),  # the forms' secret: of no use without the cookie
    Index("ix_sessions_expires_at", "expires_at"),  # ended sessions are removed at each sign-in
)
