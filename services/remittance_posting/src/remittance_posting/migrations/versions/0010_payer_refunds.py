"""remittance_posting: refunds sent to payers of what they overpaid

A payer's overpayment waits for its recoupment or is sent back on its request; what was sent back is kept here,
with who sent it, and no longer listed as owed to the payer. A tenant table, walled (docs/security.md)."""

import sqlalchemy as sa
from alembic import op
from claimstream_platform.migrate import wall_table

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "payer_refunds",
        sa.Column("id", sa.UUID(), primary_key=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("practice_id", sa.UUID()),
        sa.Column("claim_id", sa.UUID(), nullable=False),
        sa.Column("payer_id", sa.String(80), nullable=False),
        sa.Column("amount", sa.Numeric(12, 2), nullable=False),
        sa.Column("reference", sa.String(80), nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column("sent_by", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_index("ix_payer_refunds_claim", "payer_refunds", ["tenant_id", "claim_id"])
    wall_table(op.get_bind(), "payer_refunds")


def downgrade() -> None:
    op.drop_table("payer_refunds")
