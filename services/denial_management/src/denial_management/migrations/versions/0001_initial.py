"""denial management: claims denials concern, cases, their history, appeals, learned rule suggestions"""

import sqlalchemy as sa
from alembic import op
from claimstream_platform.migrate import create_platform_tables
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _money(name: str) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.Numeric(precision=12, scale=2), server_default="0", nullable=False)


def _at(name: str) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False)


def upgrade() -> None:
    create_platform_tables(op.get_bind())
    _claims()
    _cases()
    _case_history()
    _rule_suggestions()
    _appeals()


def _claims() -> None:
    op.create_table(
        "claims",
        sa.Column("claim_id", sa.UUID(), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("practice_id", sa.UUID(), nullable=True),
        sa.Column("encounter_id", sa.UUID(), nullable=False),
        sa.Column("patient_control_number", sa.String(length=38), nullable=False),
        sa.Column("payer_id", sa.String(length=80), nullable=False),
        sa.Column("payer_claim_number", sa.String(length=50), nullable=True),
        sa.Column("service_date", sa.Date(), nullable=False),
        sa.Column("place_of_service", sa.String(length=2), nullable=True),
        sa.Column("lines", postgresql.JSONB(), nullable=False),
        _money("total_charge"),
        sa.Column("replaces_claim_id", sa.UUID(), nullable=True),
        sa.Column("accepted_on", sa.Date(), nullable=True),
        _money("paid"),
        _at("created_at"),
        sa.PrimaryKeyConstraint("claim_id", name=op.f("pk_claims")),
    )
    op.create_index("ix_claims_encounter", "claims", ["tenant_id", "encounter_id"])
    op.create_index("ix_claims_replaces", "claims", ["replaces_claim_id"])


def _cases() -> None:
    op.create_table(
        "cases",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("practice_id", sa.UUID(), nullable=True),
        sa.Column("claim_id", sa.UUID(), nullable=False),
        sa.Column("source_key", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("level", sa.String(length=5), nullable=False),
        sa.Column("line_number", sa.Integer(), nullable=True),
        sa.Column("procedure_code", sa.String(length=5), nullable=True),
        sa.Column("payer_id", sa.String(length=80), nullable=False),
        sa.Column("codes", postgresql.JSONB(), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("action", sa.String(length=300), nullable=False),
        sa.Column("fix", sa.String(length=30), nullable=True),
        sa.Column("appeal", sa.Boolean(), nullable=False),
        _money("amount"),
        sa.Column("denied_on", sa.Date(), nullable=False),
        sa.Column("service_date", sa.Date(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("priority", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("automatic", sa.Boolean(), nullable=False),
        sa.Column("resolution", sa.String(length=30), nullable=True),
        sa.Column("assignee", sa.String(length=200), nullable=True),
        _money("recovered"),
        _money("written_off"),
        sa.Column("warned", sa.Boolean(), server_default="false", nullable=False),
        _at("created_at"),
        _at("updated_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
        sa.UniqueConstraint("source_key", name=op.f("uq_cases_source_key")),
    )
    op.create_index("ix_cases_queue", "cases", ["tenant_id", "status", "priority"])
    op.create_index("ix_cases_claim", "cases", ["claim_id"])
    op.create_index("ix_cases_due", "cases", ["deadline", "status"])


def _case_history() -> None:
    op.create_table(
        "case_history",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("case_id", sa.UUID(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("detail", postgresql.JSONB(), nullable=False),
        _at("at"),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_case_history_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_history")),
    )
    op.create_index("ix_case_history_case", "case_history", ["case_id"])


def _rule_suggestions() -> None:
    op.create_table(
        "rule_suggestions",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("payer_id", sa.String(length=80), nullable=False),
        sa.Column("procedure_code", sa.String(length=5), nullable=False),
        sa.Column("carc", sa.String(length=10), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("condition", sa.String(length=30), nullable=False),
        sa.Column("message", sa.String(length=300), nullable=False),
        sa.Column("claims", sa.Integer(), nullable=False),
        _money("amount"),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        _at("created_at"),
        _at("updated_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rule_suggestions")),
        sa.UniqueConstraint(
            "tenant_id",
            "payer_id",
            "procedure_code",
            "carc",
            name=op.f("uq_rule_suggestions_tenant_id_payer_id_procedure_code_carc"),
        ),
    )


def _appeals() -> None:
    op.create_table(
        "appeals",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("case_id", sa.UUID(), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("packet", postgresql.JSONB(), nullable=False),
        sa.Column("letter", sa.LargeBinary(), nullable=False),
        _at("created_at"),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_appeals_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appeals")),
    )
    op.create_index("ix_appeals_case", "appeals", ["case_id"])


def downgrade() -> None:
    for table in ("appeals", "rule_suggestions", "case_history", "cases", "claims"):
        op.drop_table(table)
