"""claim submission: plans whose mental-health benefits another payer administers (claims go to that payer)"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "carve_outs",
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("practice_id", sa.UUID(), nullable=False),
        sa.Column("patient_ref", sa.String(length=80), nullable=False),
        sa.Column("payer_id", sa.String(length=80), nullable=False),
        sa.Column("administered_by", sa.String(length=80), nullable=False),
        sa.Column("administrator_name", sa.String(length=60), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "practice_id", "patient_ref", "payer_id", name=op.f("pk_carve_outs")),
    )


def downgrade() -> None:
    op.drop_table("carve_outs")
