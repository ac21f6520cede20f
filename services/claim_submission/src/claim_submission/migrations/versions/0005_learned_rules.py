"""claim submission: scrub rules learned from denial patterns, accepted by billing staff"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "learned_rules",
        sa.Column("rule_id", sa.UUID(), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("payer_id", sa.String(length=80), nullable=False),
        sa.Column("code", sa.String(length=5), nullable=False),
        sa.Column("condition", sa.String(length=30), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("message", sa.String(length=300), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("rule_id", name=op.f("pk_learned_rules")),
    )
    op.create_index("ix_learned_rules_tenant", "learned_rules", ["tenant_id"])


def downgrade() -> None:
    op.drop_table("learned_rules")
