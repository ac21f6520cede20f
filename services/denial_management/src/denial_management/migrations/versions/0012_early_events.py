"""denial_management: events about a claim kept until the claim arrives (issue 28, scenario 7)

A payment or denial (remittance posting's topic) can come before the claim's ClaimCreated (claim submission's): it
is kept here, in the order it came, and applied when the claim arrives. A tenant table, walled as the others
(docs/security.md)."""

import sqlalchemy as sa
from alembic import op
from claimstream_platform.migrate import wall_table
from sqlalchemy.dialects import postgresql

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "early_events",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("claim_id", sa.UUID(), nullable=False),
        sa.Column("event_type", sa.String(length=100), nullable=False),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_early_events")),
    )
    op.create_index("ix_early_events_claim", "early_events", ["claim_id"])
    wall_table(op.get_bind(), "early_events")


def downgrade() -> None:
    op.drop_table("early_events")
