"""claim submission: claims found by patient and payer (the visits counted for prior authorization's rules)"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "CREATE INDEX ix_claims_patient_visits ON claims "
        "(tenant_id, payer_id, ((content -> 'patient' ->> 'external_id')), service_date)"
    )


def downgrade() -> None:
    op.drop_index("ix_claims_patient_visits", table_name="claims")
