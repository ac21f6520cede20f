"""rate limits: shared windowed counters and per-tenant overrides"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

SCHEMA = "limits"


def upgrade() -> None:
    op.create_table(
        "windows",
        sa.Column("bucket", sa.String(400), primary_key=True),
        sa.Column("window_start", sa.BigInteger, primary_key=True),
        sa.Column("used", sa.BigInteger, nullable=False),
        schema=SCHEMA,
    )
    op.create_index("ix_windows_window_start", "windows", ["window_start"], schema=SCHEMA)
    op.create_table(
        "overrides",
        sa.Column("tenant_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("rate_class", sa.String(20), primary_key=True),
        sa.Column("tenant_budget", sa.Integer, nullable=False),
        sa.Column("client_budget", sa.Integer, nullable=False),
        sa.Column("window_seconds", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        schema=SCHEMA,
    )
    # Every service's API counts here, whatever role it connects as: counters and budgets hold no PHI, and
    # only an operator (the schema's owner) sets budgets.
    op.execute(f"GRANT USAGE ON SCHEMA {SCHEMA} TO PUBLIC")
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {SCHEMA}.windows TO PUBLIC")
    op.execute(f"GRANT SELECT ON {SCHEMA}.overrides TO PUBLIC")


def downgrade() -> None:
    op.drop_table("overrides", schema=SCHEMA)
    op.drop_table("windows", schema=SCHEMA)
