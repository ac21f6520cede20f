"""remittance posting: known claims, 835 files, remittances, claim payments, the provider ledger"""

import sqlalchemy as sa
from alembic import op
from claimstream_platform.migrate import create_platform_tables
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _money(name: str, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.Numeric(precision=12, scale=2), nullable=nullable)


def _created() -> sa.Column:  # type: ignore[type-arg]
    return sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False)


def upgrade() -> None:
    create_platform_tables(op.get_bind())
    _known_claims()
    _era_files()
    _remittances()
    _claim_payments()
    _provider_adjustments()
    _variance_tables()


def _variance_tables() -> None:
    _contract_rates()
    _variances()
    _payer_silences()


def _known_claims() -> None:
    op.create_table(
        "known_claims",
        sa.Column("claim_id", sa.UUID(), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("practice_id", sa.UUID(), nullable=True),
        sa.Column("patient_control_number", sa.String(length=38), nullable=False),
        sa.Column("payer_id", sa.String(length=80), nullable=False),
        sa.Column("payer_claim_number", sa.String(length=50), nullable=True),
        sa.Column("lines", postgresql.JSONB(), nullable=False),
        sa.Column("service_date", sa.Date(), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        _created(),
        sa.PrimaryKeyConstraint("claim_id", name=op.f("pk_known_claims")),
        sa.UniqueConstraint("patient_control_number", name=op.f("uq_known_claims_patient_control_number")),
    )
    op.create_index("ix_known_claims_payer_number", "known_claims", ["payer_claim_number"])
    op.create_index("ix_known_claims_awaiting", "known_claims", ["tenant_id", "payer_id", "accepted_at"])


def _era_files() -> None:
    op.create_table(
        "era_files",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=True),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=True),
        _created(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_era_files")),
        sa.UniqueConstraint("sha256", name=op.f("uq_era_files_sha256")),
    )


def _remittances() -> None:
    op.create_table(
        "remittances",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("file_id", sa.UUID(), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=True),
        sa.Column("practice_id", sa.UUID(), nullable=True),
        sa.Column("control_number", sa.String(length=9), nullable=False),
        sa.Column("payer_id", sa.String(length=80), nullable=False),
        sa.Column("payer_name", sa.String(length=100), nullable=False),
        sa.Column("trace_number", sa.String(length=80), nullable=False),
        sa.Column("trace_originator", sa.String(length=20), nullable=False),
        sa.Column("payee_npi", sa.String(length=10), nullable=False),
        _money("total"),
        sa.Column("credit", sa.Boolean(), nullable=False),
        sa.Column("method", sa.String(length=3), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("imbalances", postgresql.JSONB(), server_default=sa.text("'[]'::jsonb"), nullable=False),
        sa.Column("claims", sa.Integer(), nullable=False),
        _created(),
        sa.ForeignKeyConstraint(["file_id"], ["era_files.id"], name=op.f("fk_remittances_file_id_era_files")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_remittances")),
    )
    op.create_index("ix_remittances_trace", "remittances", ["trace_originator", "trace_number", "payer_id"])
    op.create_index("ix_remittances_tenant", "remittances", ["tenant_id", "practice_id", "created_at"])


def _claim_payments() -> None:
    op.create_table(
        "claim_payments",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("remittance_id", sa.UUID(), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=True),
        sa.Column("practice_id", sa.UUID(), nullable=True),
        sa.Column("claim_id", sa.UUID(), nullable=True),
        sa.Column("patient_control_number", sa.String(length=38), nullable=False),
        sa.Column("payer_claim_number", sa.String(length=50), nullable=True),
        sa.Column("claim_status", sa.String(length=2), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        _money("charge"),
        _money("paid"),
        _money("patient_responsibility"),
        _money("allowed", nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=True),
        sa.Column("matched_by", sa.String(length=30), nullable=True),
        sa.Column("detail", postgresql.JSONB(), nullable=False),
        _created(),
        sa.ForeignKeyConstraint(
            ["remittance_id"], ["remittances.id"], name=op.f("fk_claim_payments_remittance_id_remittances")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_payments")),
    )
    op.create_index("ix_claim_payments_claim", "claim_payments", ["tenant_id", "claim_id"])
    op.create_index(
        "ix_claim_payments_unmatched",
        "claim_payments",
        ["patient_control_number"],
        postgresql_where=sa.text("state = 'unmatched'"),
    )


def _provider_adjustments() -> None:
    op.create_table(
        "provider_adjustments",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("remittance_id", sa.UUID(), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=True),
        sa.Column("practice_id", sa.UUID(), nullable=True),
        sa.Column("payee_npi", sa.String(length=80), nullable=False),
        sa.Column("reason", sa.String(length=10), nullable=False),
        sa.Column("reference", sa.String(length=80), nullable=False),
        _money("amount"),
        sa.Column("claim_id", sa.UUID(), nullable=True),
        _created(),
        sa.ForeignKeyConstraint(
            ["remittance_id"], ["remittances.id"], name=op.f("fk_provider_adjustments_remittance_id_remittances")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provider_adjustments")),
    )
    op.create_index("ix_provider_adjustments_tenant", "provider_adjustments", ["tenant_id", "practice_id", "id"])


def _contract_rates() -> None:
    op.create_table(
        "contract_rates",
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("practice_id", sa.UUID(), nullable=False),
        sa.Column("payer_id", sa.String(length=80), nullable=False),
        sa.Column("code", sa.String(length=5), nullable=False),
        sa.Column("modifiers", sa.String(length=20), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        _money("amount"),
        _created(),
        sa.PrimaryKeyConstraint(
            "tenant_id",
            "practice_id",
            "payer_id",
            "code",
            "modifiers",
            "effective_from",
            name=op.f("pk_contract_rates"),
        ),
    )


def _variances() -> None:
    op.create_table(
        "variances",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("practice_id", sa.UUID(), nullable=True),
        sa.Column("claim_id", sa.UUID(), nullable=False),
        sa.Column("remittance_id", sa.UUID(), nullable=False),
        sa.Column("payer_id", sa.String(length=80), nullable=False),
        sa.Column("line_number", sa.Integer(), nullable=True),
        sa.Column("code", sa.String(length=5), nullable=False),
        sa.Column("paid_code", sa.String(length=5), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        _money("expected", nullable=True),
        _money("allowed"),
        _money("difference", nullable=True),
        sa.Column("reasons", postgresql.JSONB(), nullable=False),
        _created(),
        sa.ForeignKeyConstraint(
            ["remittance_id"], ["remittances.id"], name=op.f("fk_variances_remittance_id_remittances")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_variances")),
    )
    op.create_index("ix_variances_tenant", "variances", ["tenant_id", "practice_id", "id"])


def _payer_silences() -> None:
    op.create_table(
        "payer_silences",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("payer_id", sa.String(length=80), nullable=False),
        sa.Column("claims_waiting", sa.Integer(), nullable=False),
        sa.Column("oldest_accepted_on", sa.Date(), nullable=False),
        sa.Column("last_payment_on", sa.Date(), nullable=True),
        _created(),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payer_silences")),
    )
    op.create_index(
        "ix_payer_silences_open",
        "payer_silences",
        ["tenant_id", "payer_id"],
        unique=True,
        postgresql_where=sa.text("ended_at IS NULL"),
    )


def downgrade() -> None:
    for table in ("payer_silences", "variances", "contract_rates"):
        op.drop_table(table)
    for table in ("provider_adjustments", "claim_payments", "remittances", "era_files", "known_claims"):
        op.drop_table(table)
