"""prior authorization: each patient's visits per payer (rules that want an authorization after N visits a year)"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "visits",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("encounter_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("practice_id", sa.Uuid(), nullable=False),
        sa.Column("patient_ref", sa.String(length=80), nullable=False),
        sa.Column("payer_id", sa.String(length=80), nullable=False),
        sa.Column("service_date", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "encounter_id", name=op.f("pk_visits")),
    )
    op.create_index(
        "ix_visits_patient", "visits", ["tenant_id", "practice_id", "patient_ref", "payer_id", "service_date"]
    )


def downgrade() -> None:
    op.drop_table("visits")
