"""eligibility: Good Faith Estimates and the charges billed against them"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "good_faith_estimates",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("practice_id", sa.Uuid(), nullable=False),
        sa.Column("patient_ref", sa.String(length=80), nullable=False),
        sa.Column("document", postgresql.JSONB(), nullable=False),
        sa.Column("period_from", sa.Date(), nullable=False),
        sa.Column("period_to", sa.Date(), nullable=False),
        sa.Column("total", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("exceeded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_good_faith_estimates")),
    )
    op.create_index(
        "ix_good_faith_estimates_patient", "good_faith_estimates", ["tenant_id", "practice_id", "patient_ref"]
    )
    op.create_table(
        "estimate_charges",
        sa.Column("estimate_id", sa.Uuid(), nullable=False),
        sa.Column("encounter_id", sa.Uuid(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.PrimaryKeyConstraint("estimate_id", "encounter_id", name=op.f("pk_estimate_charges")),
    )


def downgrade() -> None:
    op.drop_table("estimate_charges")
    op.drop_table("good_faith_estimates")
