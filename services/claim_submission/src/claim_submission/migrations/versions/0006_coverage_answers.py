"""claim submission: eligibility's answers per coverage and date of service (a claim for inactive coverage is held)"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "coverage_answers",
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("practice_id", sa.UUID(), nullable=False),
        sa.Column("patient_ref", sa.String(length=80), nullable=False),
        sa.Column("payer_id", sa.String(length=80), nullable=False),
        sa.Column("service_date", sa.Date(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint(
            "tenant_id", "practice_id", "patient_ref", "payer_id", "service_date", name=op.f("pk_coverage_answers")
        ),
    )


def downgrade() -> None:
    op.drop_table("coverage_answers")
