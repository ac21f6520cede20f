"""clearinghouse simulator: submissions, members, claims, inbox documents, control-number sequences"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE SEQUENCE control_numbers START WITH 1000")
    op.execute("CREATE SEQUENCE payer_claim_numbers START WITH 100000")
    _documents()
    _members()
    _submissions()
    _claims()


def _documents() -> None:
    op.create_table(
        "documents",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("submitter", sa.UUID(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
    )
    op.create_index(
        "ix_documents_unread",
        "documents",
        ["submitter", "id"],
        unique=False,
        postgresql_where=sa.text("acknowledged_at IS NULL"),
    )


def _members() -> None:
    op.create_table(
        "members",
        sa.Column("payer_id", sa.String(length=20), nullable=False),
        sa.Column("member_id", sa.String(length=80), nullable=False),
        sa.Column("first_name", sa.String(length=100), nullable=False),
        sa.Column("last_name", sa.String(length=100), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("coverage_start", sa.Date(), nullable=False),
        sa.Column("coverage_end", sa.Date(), nullable=True),
        sa.Column("deductible", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column("deductible_met", sa.Numeric(precision=10, scale=2), server_default="0", nullable=False),
        sa.Column("coinsurance", sa.Numeric(precision=4, scale=3), nullable=False),
        sa.Column("copay", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column("benefit_year", sa.Integer(), nullable=False),
        sa.Column("visits_used", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("payer_id", "member_id", name=op.f("pk_members")),
    )


def _submissions() -> None:
    op.create_table(
        "submissions",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("submitter", sa.UUID(), nullable=False),
        sa.Column("sender_id", sa.String(length=15), nullable=False),
        sa.Column("interchange_control", sa.String(length=9), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submissions")),
        sa.UniqueConstraint(
            "submitter",
            "sender_id",
            "interchange_control",
            name=op.f("uq_submissions_submitter_sender_id_interchange_control"),
        ),
    )


def _claims() -> None:
    op.create_table(
        "claims",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("submitter", sa.UUID(), nullable=False),
        sa.Column("submission_id", sa.UUID(), nullable=False),
        sa.Column("payer_id", sa.String(length=20), nullable=False),
        sa.Column("payer_claim_number", sa.String(length=30), nullable=True),
        sa.Column("patient_control_number", sa.String(length=38), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("claim_status", sa.String(length=20), nullable=False),
        sa.Column("duplicate_key", sa.String(length=300), nullable=False),
        sa.Column("claim", postgresql.JSONB(astext_type=Text()), nullable=False),
        sa.Column("adjudication", postgresql.JSONB(astext_type=Text()), nullable=True),
        sa.Column("paid", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("adjudicated_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["submission_id"], ["submissions.id"], name=op.f("fk_claims_submission_id_submissions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claims")),
        sa.UniqueConstraint("payer_claim_number", name=op.f("uq_claims_payer_claim_number")),
    )
    op.create_index(
        "ix_claims_accepted", "claims", ["received_on"], unique=False, postgresql_where=sa.text("status = 'accepted'")
    )
    op.create_index("ix_claims_duplicate_key", "claims", ["duplicate_key"], unique=False)


def downgrade() -> None:
    for table in ("documents", "claims", "members", "submissions"):
        op.drop_table(table)
    op.execute("DROP SEQUENCE payer_claim_numbers")
    op.execute("DROP SEQUENCE control_numbers")
