"""eligibility: checks and their answers, and the 270's interchange control numbers"""

import sqlalchemy as sa
from alembic import op
from claimstream_platform.migrate import create_platform_tables
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_platform_tables(op.get_bind())
    op.execute(sa.schema.CreateSequence(sa.Sequence("interchange_control", start=1, maxvalue=999_999_999, cycle=True)))
    op.create_table(
        "checks",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("practice_id", sa.Uuid(), nullable=False),
        sa.Column("patient_ref", sa.String(length=80), nullable=False),
        sa.Column("first_name", sa.String(length=60), nullable=False),
        sa.Column("last_name", sa.String(length=60), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("payer_id", sa.String(length=80), nullable=False),
        sa.Column("member_id", sa.String(length=80), nullable=False),
        sa.Column("service_date", sa.Date(), nullable=False),
        sa.Column("service_types", postgresql.ARRAY(sa.String(length=2)), nullable=False),
        sa.Column("provider_npi", sa.String(length=10), nullable=False),
        sa.Column("provider_name", sa.String(length=60), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("summary", postgresql.JSONB(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checks")),
    )
    op.create_index(
        "ix_checks_patient", "checks", ["tenant_id", "practice_id", "patient_ref", "payer_id", "service_date"]
    )


def downgrade() -> None:
    op.drop_table("checks")
    op.execute(sa.schema.DropSequence(sa.Sequence("interchange_control")))
