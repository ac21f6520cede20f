"""patient billing: what the insurance said of each visit (its figures and reasons, for the statement), the
patient's contact and hold, each practice's statement settings, and the statements issued

Every new table is a tenant's, walled as the others (docs/security.md)."""

import sqlalchemy as sa
from alembic import op
from claimstream_platform.migrate import wall_table
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _money(name: str, default: str = "0") -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.Numeric(12, 2), nullable=False, server_default=default)


def upgrade() -> None:
    for name in ("charged", "insurance_paid", "insurance_adjusted"):
        op.add_column("visits", _money(name))
    op.add_column("visits", sa.Column("reasons", postgresql.JSONB(), nullable=False, server_default="[]"))
    op.add_column("visits", sa.Column("first_statement_on", sa.Date()))
    # after the last dunning notice: on the practice's list to decide (collections or write-off), never automatic
    op.add_column("accounts", sa.Column("awaiting_decision_since", sa.Date()))
    op.add_column("accounts", sa.Column("last_statement_on", sa.Date()))  # one statement per cycle at most
    op.create_table(
        "contacts",
        sa.Column("account_id", sa.UUID(), sa.ForeignKey("accounts.id"), primary_key=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("name", sa.String(200)),  # as the last charge captured names her
        sa.Column("address", postgresql.JSONB()),
        sa.Column("email", sa.String(254)),
        sa.Column("statements_by", sa.String(10), nullable=False, server_default="print"),
        sa.Column("on_hold", sa.Boolean(), nullable=False, server_default="false"),
        sa.Column("hold_reason", sa.String(500)),
    )
    op.create_table(
        "statement_settings",
        sa.Column("practice_id", sa.UUID(), primary_key=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("cycle_day", sa.Integer(), nullable=False),
        _money("minimum_balance"),
        sa.Column("due_days", sa.Integer(), nullable=False),
        sa.Column("set_by", sa.String(200), nullable=False),
    )
    _statements()
    op.create_table(
        "statement_runs",
        sa.Column("practice_id", sa.UUID(), primary_key=True),
        sa.Column("run_on", sa.Date(), primary_key=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
    )
    for table in ("contacts", "statement_settings", "statements", "statement_runs"):
        wall_table(op.get_bind(), table)


def _statements() -> None:
    op.create_table(
        "statements",
        sa.Column("id", sa.UUID(), primary_key=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("practice_id", sa.UUID(), nullable=False),
        sa.Column("account_id", sa.UUID(), sa.ForeignKey("accounts.id"), nullable=False, index=True),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("amount_due", sa.Numeric(12, 2), nullable=False),
        sa.Column("stage", sa.String(20), nullable=False),
        sa.Column("delivery", sa.String(10), nullable=False),
        sa.Column("document", postgresql.JSONB(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_index("ix_statements_unsent", "statements", ["created_at"], postgresql_where=sa.text("sent_at IS NULL"))


def downgrade() -> None:
    for table in ("statement_runs", "statements", "statement_settings", "contacts"):
        op.drop_table(table)
    for name in ("charged", "insurance_paid", "insurance_adjusted", "reasons", "first_statement_on"):
        op.drop_column("visits", name)
    op.drop_column("accounts", "awaiting_decision_since")
    op.drop_column("accounts", "last_statement_on")
