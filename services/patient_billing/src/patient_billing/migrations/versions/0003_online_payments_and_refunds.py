"""patient billing: payments online through the payment processor, refunds, and since when a credit is held

`online_payments`: what a patient asked to pay through her statement's link, and the processor's payment intent;
applied as a payment when the processor's signed webhook says it succeeded (`payments.processor_ref`, unique, so a
webhook delivered twice posts once). `refunds`: a credit paid back, to the card through the processor or by
check. Every new table is a tenant's, walled as the others (docs/security.md)."""

import sqlalchemy as sa
from alembic import op
from claimstream_platform.migrate import wall_table

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("payments", sa.Column("processor_ref", sa.String(80), unique=True))
    op.add_column("accounts", sa.Column("credit_since", sa.Date()))  # unclaimed-property ages count from it
    op.create_table(
        "online_payments",
        sa.Column("id", sa.UUID(), primary_key=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("account_id", sa.UUID(), sa.ForeignKey("accounts.id"), nullable=False, index=True),
        sa.Column("statement_id", sa.UUID(), nullable=False),
        sa.Column("amount", sa.Numeric(12, 2), nullable=False),
        sa.Column("intent_id", sa.String(80), unique=True),
        sa.Column("status", sa.String(20), nullable=False),  # requested | succeeded | failed
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_table(
        "refunds",
        sa.Column("id", sa.UUID(), primary_key=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("account_id", sa.UUID(), sa.ForeignKey("accounts.id"), nullable=False, index=True),
        sa.Column("amount", sa.Numeric(12, 2), nullable=False),
        sa.Column("method", sa.String(10), nullable=False),  # card | check
        sa.Column("payment_id", sa.UUID()),  # the card payment it goes back to
        sa.Column("check_number", sa.String(30)),
        sa.Column("status", sa.String(20), nullable=False),  # requested | sent | refunded | failed
        sa.Column("processor_ref", sa.String(80), unique=True),
        sa.Column("requested_by", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    for table in ("online_payments", "refunds"):
        wall_table(op.get_bind(), table)


def downgrade() -> None:
    op.drop_table("refunds")
    op.drop_table("online_payments")
    op.drop_column("accounts", "credit_since")
    op.drop_column("payments", "processor_ref")
