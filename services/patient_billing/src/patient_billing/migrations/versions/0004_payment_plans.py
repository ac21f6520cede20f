"""patient billing: payment plans, and autopay's charges among the payments through the processor

A plan spreads what the account owed when it was made over monthly installments; every payment of the account
while it is active counts toward it (`paid`). An autopay installment is charged through the processor like a
payment by link (`online_payments`, now with its plan and installment and no statement). A tenant table, walled."""

import sqlalchemy as sa
from alembic import op
from claimstream_platform.migrate import wall_table

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "payment_plans",
        sa.Column("id", sa.UUID(), primary_key=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("account_id", sa.UUID(), sa.ForeignKey("accounts.id"), nullable=False, index=True),
        sa.Column("total", sa.Numeric(12, 2), nullable=False),
        sa.Column("per_month", sa.Numeric(12, 2), nullable=False),
        sa.Column("first_due", sa.Date(), nullable=False),
        sa.Column("autopay_method", sa.String(80)),  # the processor's card token, never a card number
        sa.Column("paid", sa.Numeric(12, 2), nullable=False, server_default="0"),
        sa.Column("charged_through", sa.Integer(), nullable=False, server_default="0"),  # autopay: installments asked
        sa.Column("status", sa.String(12), nullable=False),  # active | completed | defaulted | cancelled
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_index(
        "ux_payment_plans_active",
        "payment_plans",
        ["account_id"],
        unique=True,
        postgresql_where=sa.text("status = 'active'"),
    )
    wall_table(op.get_bind(), "payment_plans")
    op.alter_column("online_payments", "statement_id", nullable=True)
    op.add_column("online_payments", sa.Column("plan_id", sa.UUID()))


def downgrade() -> None:
    op.drop_column("online_payments", "plan_id")
    op.drop_table("payment_plans")
