"""patient billing: reminders of the installments of plans without autopay

A few days before an installment is due, its patient is emailed once (`plan_reminders`, one row an installment,
sent by the plans' loop; `payment_plans.reminded_through` keeps which were queued). A tenant table, walled."""

import sqlalchemy as sa
from alembic import op
from claimstream_platform.migrate import wall_table

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("payment_plans", sa.Column("reminded_through", sa.Integer(), nullable=False, server_default="0"))
    op.create_table(
        "plan_reminders",
        sa.Column("plan_id", sa.UUID(), sa.ForeignKey("payment_plans.id"), primary_key=True),
        sa.Column("number", sa.Integer(), primary_key=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("amount", sa.Numeric(12, 2), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    wall_table(op.get_bind(), "plan_reminders")


def downgrade() -> None:
    op.drop_table("plan_reminders")
    op.drop_column("payment_plans", "reminded_through")
