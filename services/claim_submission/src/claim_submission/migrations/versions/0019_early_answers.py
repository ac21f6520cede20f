"""claim_submission: prior authorization's answers about a visit kept until its claim exists (issue 28)

AuthorizationExceeded can come before the visit's claim is created; it is kept here per encounter version and payer
and taken by the claim when it is created. A tenant table, walled as the others (docs/security.md)."""

import sqlalchemy as sa
from alembic import op
from claimstream_platform.migrate import wall_table
from sqlalchemy.dialects import postgresql

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "early_answers",
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("encounter_id", sa.UUID(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("payer_id", sa.String(length=80), nullable=False),
        sa.Column("rule", sa.String(length=40), nullable=False),
        sa.Column("reason", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint(
            "tenant_id", "encounter_id", "version", "payer_id", "rule", name=op.f("pk_early_answers")
        ),
    )
    wall_table(op.get_bind(), "early_answers")


def downgrade() -> None:
    op.drop_table("early_answers")
