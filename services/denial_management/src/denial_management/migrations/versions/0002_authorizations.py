"""denial management: the claim's patient and authorization number, and the payers' approved authorizations"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("claims", sa.Column("patient_ref", sa.String(length=80), nullable=True))
    op.add_column("claims", sa.Column("authorization_number", sa.String(length=50), nullable=True))
    op.create_table(
        "authorizations",
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("authorization_id", sa.UUID(), nullable=False),
        sa.Column("practice_id", sa.UUID(), nullable=False),
        sa.Column("patient_ref", sa.String(length=80), nullable=False),
        sa.Column("payer_id", sa.String(length=80), nullable=False),
        sa.Column("number", sa.String(length=50), nullable=False),
        sa.Column("codes", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "authorization_id", name=op.f("pk_authorizations")),
    )
    op.create_index(
        "ix_authorizations_patient", "authorizations", ["tenant_id", "practice_id", "patient_ref", "payer_id"]
    )


def downgrade() -> None:
    op.drop_table("authorizations")
    op.drop_column("claims", "authorization_number")
    op.drop_column("claims", "patient_ref")
