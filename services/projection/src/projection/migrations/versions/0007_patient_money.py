"""projection: the patient accounts' money events found without reading every fact

The checksum's patient terms sum them per tenant (checks.PatientSide); a partial index keeps them apart from the
claims' facts, which never pay for it. A database made since (0001 creates tables.py's tables) has it already."""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "CREATE INDEX IF NOT EXISTS ix_facts_patient_money ON facts (tenant_id, type) WHERE type LIKE 'patient.%'"
    )


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_facts_patient_money")
