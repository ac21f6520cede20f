"""charge capture: practices, providers, payers, policy overrides, fee schedules, encounters, charge lines"""

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
    _practices()
    _encounters()
    _payers()
    _providers()
    _charge_lines()
    _fee_schedules()
    _payer_policy_overrides()
    _fee_schedule_entries()


def _practices() -> None:
    op.create_table(
        "practices",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("npi", sa.String(length=10), nullable=False),
        sa.Column("tax_id", sa.String(length=9), nullable=False),
        sa.Column("taxonomy", sa.String(length=10), nullable=False),
        sa.Column("address", postgresql.JSONB(astext_type=Text()), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_practices")),
        sa.UniqueConstraint("tenant_id", "npi", name=op.f("uq_practices_tenant_id_npi")),
    )


def _encounters() -> None:
    op.create_table(
        "encounters",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("practice_id", sa.UUID(), nullable=False),
        sa.Column("external_id", sa.String(length=80), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("service_date", sa.Date(), nullable=False),
        sa.Column("payer_id", sa.String(length=80), nullable=False),
        sa.Column("rendering_provider_npi", sa.String(length=10), nullable=False),
        sa.Column("place_of_service", sa.String(length=2), nullable=False),
        sa.Column("total_amount", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("request", postgresql.JSONB(astext_type=Text()), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("problems", postgresql.JSONB(astext_type=Text()), nullable=False),
        sa.Column("warnings", postgresql.JSONB(astext_type=Text()), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["practice_id"], ["practices.id"], name=op.f("fk_encounters_practice_id_practices")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_encounters")),
        sa.UniqueConstraint(
            "tenant_id", "practice_id", "external_id", name=op.f("uq_encounters_tenant_id_practice_id_external_id")
        ),
    )
    op.create_index("ix_encounters_practice_status", "encounters", ["tenant_id", "practice_id", "status"], unique=False)


def _payers() -> None:
    op.create_table(
        "payers",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("practice_id", sa.UUID(), nullable=False),
        sa.Column("payer_id", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("claim_filing_indicator", sa.String(length=2), nullable=False),
        sa.Column("policy_profile", sa.String(length=80), nullable=True),
        sa.Column("revision", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["practice_id"], ["practices.id"], name=op.f("fk_payers_practice_id_practices")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payers")),
        sa.UniqueConstraint("practice_id", "payer_id", name=op.f("uq_payers_practice_id_payer_id")),
    )


def _providers() -> None:
    op.create_table(
        "providers",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("practice_id", sa.UUID(), nullable=False),
        sa.Column("npi", sa.String(length=10), nullable=False),
        sa.Column("first_name", sa.String(length=100), nullable=False),
        sa.Column("last_name", sa.String(length=100), nullable=False),
        sa.Column("credential", sa.String(length=10), nullable=False),
        sa.Column("taxonomy", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["practice_id"], ["practices.id"], name=op.f("fk_providers_practice_id_practices")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_providers")),
        sa.UniqueConstraint("practice_id", "npi", name=op.f("uq_providers_practice_id_npi")),
    )


def _charge_lines() -> None:
    op.create_table(
        "charge_lines",
        sa.Column("encounter_id", sa.UUID(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("line_number", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=5), nullable=False),
        sa.Column("modifiers", sa.ARRAY(sa.String(length=2)), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column("diagnosis_pointers", sa.ARRAY(sa.Integer()), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["encounter_id"], ["encounters.id"], name=op.f("fk_charge_lines_encounter_id_encounters")
        ),
        sa.PrimaryKeyConstraint("encounter_id", "version", "line_number", name=op.f("pk_charge_lines")),
    )


def _fee_schedules() -> None:
    op.create_table(
        "fee_schedules",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("payer_ref", sa.UUID(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["payer_ref"], ["payers.id"], name=op.f("fk_fee_schedules_payer_ref_payers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fee_schedules")),
    )
    op.create_index("ix_fee_schedules_payer", "fee_schedules", ["payer_ref", "effective_from"], unique=False)


def _payer_policy_overrides() -> None:
    op.create_table(
        "payer_policy_overrides",
        sa.Column("payer_ref", sa.UUID(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("effective_to", sa.Date(), nullable=True),
        sa.Column("settings", postgresql.JSONB(astext_type=Text()), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["payer_ref"], ["payers.id"], name=op.f("fk_payer_policy_overrides_payer_ref_payers")),
        sa.PrimaryKeyConstraint("payer_ref", "effective_from", name=op.f("pk_payer_policy_overrides")),
    )


def _fee_schedule_entries() -> None:
    op.create_table(
        "fee_schedule_entries",
        sa.Column("schedule_id", sa.UUID(), nullable=False),
        sa.Column("code", sa.String(length=5), nullable=False),
        sa.Column("modifiers", sa.String(length=20), nullable=False),
        sa.Column("amount", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.ForeignKeyConstraint(
            ["schedule_id"], ["fee_schedules.id"], name=op.f("fk_fee_schedule_entries_schedule_id_fee_schedules")
        ),
        sa.PrimaryKeyConstraint("schedule_id", "code", "modifiers", name=op.f("pk_fee_schedule_entries")),
    )


def downgrade() -> None:
    for table in (
        "charge_lines",
        "encounters",
        "fee_schedule_entries",
        "fee_schedules",
        "payer_policy_overrides",
        "payers",
        "providers",
        "practices",
    ):
        op.drop_table(table)
