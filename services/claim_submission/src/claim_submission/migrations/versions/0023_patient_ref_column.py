"""claim submission: a claim's patient (the practice's id of the patient) as a column of its own

Computed by PostgreSQL from the claim's content, indexed in place of migration 0009's expression. The services read
their tables under row-level security, where the planner uses an expression as an index condition only when every
function in it is leakproof, and the JSON operators are not: a walled count of a patient's visits to a payer read all
of the tenant's claims to that payer (351 ms for 60 patients among 20,000 claims, against 0.8 ms by this column).
Adding a stored computed column rewrites the table once, under its lock."""

from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

PATIENT = "(content -> 'patient' ->> 'external_id')"


def upgrade() -> None:
    op.execute(f"ALTER TABLE claims ADD COLUMN patient_ref text GENERATED ALWAYS AS ({PATIENT}) STORED")
    op.drop_index("ix_claims_patient_visits", table_name="claims")
    op.create_index("ix_claims_patient_visits", "claims", ["tenant_id", "payer_id", "patient_ref", "service_date"])


def downgrade() -> None:
    op.drop_index("ix_claims_patient_visits", table_name="claims")
    op.execute(f"CREATE INDEX ix_claims_patient_visits ON claims (tenant_id, payer_id, {PATIENT}, service_date)")
    op.drop_column("claims", "patient_ref")
