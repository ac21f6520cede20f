"""charge capture: a practice's own facts for a payer, over our reference data from a day (docs/domain/payers.md)"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "payer_fact_overrides",
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("practice_id", sa.UUID(), nullable=False),
        sa.Column("payer_id", sa.String(length=80), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("effective_to", sa.Date(), nullable=True),
        sa.Column("facts", postgresql.JSONB(astext_type=Text()), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["practice_id", "payer_id"],
            ["payers.practice_id", "payers.payer_id"],
            name=op.f("fk_payer_fact_overrides_practice_id_payers"),
        ),
        sa.PrimaryKeyConstraint(
            "tenant_id", "practice_id", "payer_id", "effective_from", name=op.f("pk_payer_fact_overrides")
        ),
    )


def downgrade() -> None:
    op.drop_table("payer_fact_overrides")
