"""Identity's tables: the accounts (people, integrations, installation operators), one-time invitations, the tokens
issued to integrations, sign-in failures (to slow guessing down), the revocation list every service reads (the
platform's table, `claimstream_platform.revocations`) and the access log, chained per tenant under a key."""

from claimstream_platform.db import NAMING_CONVENTION
from claimstream_platform.revocations import revocations as platform_revocations
from sqlalchemy import CHAR, Column, DateTime, ForeignKey, Index, Integer, MetaData, String, Table, Uuid, func, text
from sqlalchemy.dialects.postgresql import ARRAY, BIGINT, JSONB

metadata = MetaData(naming_convention=NAMING_CONVENTION)
revocations = platform_revocations.to_metadata(metadata)

accounts = Table(
    "accounts",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("tenant_id", Uuid),  # None: an installation operator
    Column("subject", String(200), nullable=False, unique=True),  # the tokens' `sub`: one per person or integration
    Column("kind", String(12), nullable=False),  # person | integration | operator
    Column("email", String(254)),  # lower case; people and operators sign in with it
    Column("name", String(200), nullable=False),
    Column("password_hash", String(200)),  # argon2id; None until the invitation is accepted (never for integrations)
    Column("roles", ARRAY(String(20)), nullable=False),
    Column("practice_ids", ARRAY(Uuid)),  # None: every practice of the tenant
    Column("disabled_at", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("uq_accounts_kind_email", "kind", "email", unique=True, postgresql_where=text("email IS NOT NULL")),
    Index("ix_accounts_tenant", "tenant_id", "id"),
)

invitations = Table(
    "invitations",
    metadata,
    Column("code_hash", CHAR(64), primary_key=True),  # sha256 of the code: the code itself is never stored
    Column("account_id", Uuid, ForeignKey("accounts.id"), nullable=False),
    Column("tenant_id", Uuid),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("accepted_at", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

integration_tokens = Table(
    "integration_tokens",
    metadata,
    Column("jti", String(64), primary_key=True),
    Column("tenant_id", Uuid, nullable=False),
    Column("account_id", Uuid, ForeignKey("accounts.id"), nullable=False),
    Column("issued_by", String(200), nullable=False),
    Column("issued_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
    Index("ix_integration_tokens_account", "tenant_id", "account_id"),
)

sign_in_failures = Table(
    "sign_in_failures",
    metadata,
    Column("key", CHAR(64), primary_key=True),  # sha256 of realm and email: known and unknown emails alike
    Column("failures", Integer, nullable=False),
    Column("last_failure_at", DateTime(timezone=True), nullable=False),
)

access_log = Table(
    "access_log",
    metadata,
    Column("tenant_id", Uuid, primary_key=True),
    Column("seq", BIGINT, primary_key=True),  # 1, 2, 3 … within the tenant: the chain's order
    Column("access_id", Uuid, nullable=False, unique=True),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("service", String(60), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("actor_kind", String(20), nullable=False),
    Column("audit", String(10), nullable=False),
    Column("action", String(300), nullable=False),
    Column("resource", JSONB, nullable=False),
    Column("status", Integer, nullable=False),
    Column("client", String(100)),
    Column("correlation_id", Uuid),
    Column("key_id", String(16), nullable=False),  # the audit key the row was chained with (identity.audit_keys)
    Column("previous_hash", CHAR(64), nullable=False),
    Column("hash", CHAR(64), nullable=False),  # HMAC-SHA256 under that key (identity.chain)
    Column("recorded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_access_log_time", "tenant_id", "occurred_at"),
)
