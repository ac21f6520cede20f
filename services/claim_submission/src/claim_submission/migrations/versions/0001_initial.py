"""claim submission: claims, their history, submissions, number sequences"""

from typing import Any

import sqlalchemy as sa
from alembic import op
from claimstream_platform.migrate import create_platform_tables
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_platform_tables(op.get_bind())
    op.execute("CREATE SEQUENCE interchange_numbers START WITH 1")
    op.execute("CREATE SEQUENCE claim_numbers START WITH 1")
    _submissions()
    _claims()
    _claim_history()


def _submissions() -> None:
    op.create_table(
        "submissions",
        sa.Column("interchange_number", sa.BigInteger(), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("payer_id", sa.String(length=80), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("acknowledgment", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("interchange_number", name=op.f("pk_submissions")),
    )
    op.create_index(
        "ix_submissions_pending",
        "submissions",
        ["interchange_number"],
        unique=False,
        postgresql_where=sa.text("status = 'pending'"),
    )


def _claims() -> None:
    op.create_table(
        "claims",
        *_claim_columns(),
        sa.ForeignKeyConstraint(
            ["interchange_number"],
            ["submissions.interchange_number"],
            name=op.f("fk_claims_interchange_number_submissions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claims")),
        sa.UniqueConstraint("patient_control_number", name=op.f("uq_claims_patient_control_number")),
    )
    op.create_index("ix_claims_duplicate_key", "claims", ["tenant_id", "duplicate_key"], unique=False)
    op.create_index("ix_claims_encounter", "claims", ["tenant_id", "encounter_id"], unique=False)
    op.create_index("ix_claims_queue", "claims", ["tenant_id", "practice_id", "status"], unique=False)
    op.create_index(
        "ix_claims_ready", "claims", ["created_at"], unique=False, postgresql_where=sa.text("status = 'ready'")
    )


def _claim_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("practice_id", sa.UUID(), nullable=False),
        sa.Column("encounter_id", sa.UUID(), nullable=False),
        sa.Column("encounter_version", sa.BigInteger(), nullable=False),
        sa.Column("payer_id", sa.String(length=80), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("frequency", sa.String(length=1), nullable=False),
        sa.Column(
            "patient_control_number",
            sa.String(length=38),
            server_default=sa.text("'CS' || lpad(nextval('claim_numbers')::text, 10, '0')"),
            nullable=False,
        ),
        sa.Column("payer_claim_number", sa.String(length=50), nullable=True),
        sa.Column("replaces_claim_id", sa.UUID(), nullable=True),
        sa.Column("total_charge", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("service_date", sa.Date(), nullable=False),
        sa.Column("duplicate_key", sa.String(length=300), nullable=False),
        sa.Column("charges", postgresql.JSONB(astext_type=Text()), nullable=False),
        sa.Column(
            "reasons", postgresql.JSONB(astext_type=Text()), server_default=sa.text("'[]'::jsonb"), nullable=False
        ),
        sa.Column(
            "acknowledged_rules",
            postgresql.JSONB(astext_type=Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column("interchange_number", sa.BigInteger(), nullable=True),
        sa.Column("transaction_control", sa.String(length=9), nullable=True),
        sa.Column("x12", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
    ]


def _claim_history() -> None:
    op.create_table(
        "claim_history",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("claim_id", sa.UUID(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column(
            "detail", postgresql.JSONB(astext_type=Text()), server_default=sa.text("'{}'::jsonb"), nullable=False
        ),
        sa.ForeignKeyConstraint(["claim_id"], ["claims.id"], name=op.f("fk_claim_history_claim_id_claims")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_history")),
    )
    op.create_index("ix_claim_history_claim", "claim_history", ["claim_id", "id"], unique=False)


def downgrade() -> None:
    for table in ("claim_history", "claims", "submissions"):
        op.drop_table(table)
    op.execute("DROP SEQUENCE claim_numbers")
    op.execute("DROP SEQUENCE interchange_numbers")
