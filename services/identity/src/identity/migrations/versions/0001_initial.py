"""identity: accounts, invitations, integration tokens, sign-in failures, the revocation list and the access log"""

from alembic import op
from claimstream_platform.migrate import create_platform_tables
from claimstream_platform.revocations import create_tables as create_revocation_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_platform_tables(op.get_bind())
    create_revocation_tables(op.get_bind())
    op.execute("CREATE INDEX ix_revocations_expires ON revocations (expires_at)")
    _accounts()
    _invitations_and_tokens()
    _access_log()


def _accounts() -> None:
    op.execute("""CREATE TABLE accounts (
        id UUID NOT NULL,
        tenant_id UUID,
        subject VARCHAR(200) NOT NULL,
        kind VARCHAR(12) NOT NULL,
        email VARCHAR(254),
        name VARCHAR(200) NOT NULL,
        password_hash VARCHAR(200),
        roles VARCHAR(20)[] NOT NULL,
        practice_ids UUID[],
        disabled_at TIMESTAMP WITH TIME ZONE,
        created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
        updated_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
        CONSTRAINT pk_accounts PRIMARY KEY (id),
        CONSTRAINT uq_accounts_subject UNIQUE (subject),
        CONSTRAINT ck_accounts_kind CHECK (kind IN ('person', 'integration', 'operator')),
        CONSTRAINT ck_accounts_tenant CHECK ((tenant_id IS NULL) = (kind = 'operator'))
)""")
    op.execute("CREATE UNIQUE INDEX uq_accounts_kind_email ON accounts (kind, email) WHERE email IS NOT NULL")
    op.execute("CREATE INDEX ix_accounts_tenant ON accounts (tenant_id, id)")


def _invitations_and_tokens() -> None:
    op.execute("""CREATE TABLE invitations (
        code_hash CHAR(64) NOT NULL,
        account_id UUID NOT NULL REFERENCES accounts (id),
        tenant_id UUID,
        expires_at TIMESTAMP WITH TIME ZONE NOT NULL,
        accepted_at TIMESTAMP WITH TIME ZONE,
        created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
        CONSTRAINT pk_invitations PRIMARY KEY (code_hash)
)""")
    op.execute("""CREATE TABLE integration_tokens (
        jti VARCHAR(64) NOT NULL,
        tenant_id UUID NOT NULL,
        account_id UUID NOT NULL REFERENCES accounts (id),
        issued_by VARCHAR(200) NOT NULL,
        issued_at TIMESTAMP WITH TIME ZONE NOT NULL,
        expires_at TIMESTAMP WITH TIME ZONE NOT NULL,
        revoked_at TIMESTAMP WITH TIME ZONE,
        CONSTRAINT pk_integration_tokens PRIMARY KEY (jti)
)""")
    op.execute("CREATE INDEX ix_integration_tokens_account ON integration_tokens (tenant_id, account_id)")
    op.execute("""CREATE TABLE sign_in_failures (
        key CHAR(64) NOT NULL,
        failures INTEGER NOT NULL,
        last_failure_at TIMESTAMP WITH TIME ZONE NOT NULL,
        CONSTRAINT pk_sign_in_failures PRIMARY KEY (key)
)""")


def _access_log() -> None:
    op.execute("""CREATE TABLE access_log (
        tenant_id UUID NOT NULL,
        seq BIGINT NOT NULL,
        access_id UUID NOT NULL,
        occurred_at TIMESTAMP WITH TIME ZONE NOT NULL,
        service VARCHAR(60) NOT NULL,
        actor VARCHAR(200) NOT NULL,
        actor_kind VARCHAR(20) NOT NULL,
        audit VARCHAR(10) NOT NULL,
        action VARCHAR(300) NOT NULL,
        resource JSONB NOT NULL,
        status INTEGER NOT NULL,
        client VARCHAR(100),
        correlation_id UUID,
        previous_hash CHAR(64) NOT NULL,
        hash CHAR(64) NOT NULL,
        recorded_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
        CONSTRAINT pk_access_log PRIMARY KEY (tenant_id, seq),
        CONSTRAINT uq_access_log_access_id UNIQUE (access_id)
)""")
    op.execute("CREATE INDEX ix_access_log_time ON access_log (tenant_id, occurred_at)")
    # Append-only whoever connects (the grants say the same for the service's own role, docs/security.md): a row
    # once written is never changed nor removed, and the hash chain shows it if someone with the owner's powers
    # does it all the same.
    op.execute("""CREATE FUNCTION access_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'the access log is append-only' USING ERRCODE = 'insufficient_privilege';
        END $$""")
    op.execute("""CREATE TRIGGER access_log_no_change BEFORE UPDATE OR DELETE ON access_log
        FOR EACH ROW EXECUTE FUNCTION access_log_append_only()""")
    op.execute("""CREATE TRIGGER access_log_no_truncate BEFORE TRUNCATE ON access_log
        FOR EACH STATEMENT EXECUTE FUNCTION access_log_append_only()""")


def downgrade() -> None:
    for table in ("access_log", "sign_in_failures", "integration_tokens", "invitations", "accounts", "revocations"):
        op.drop_table(table)
    op.execute("DROP FUNCTION access_log_append_only()")
