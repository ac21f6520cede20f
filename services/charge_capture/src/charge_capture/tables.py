"""Charge capture's tables, in its own schema. Money is NUMERIC; a practice's data always carries its tenant."""

from claimstream_platform.db import NAMING_CONVENTION
from sqlalchemy import (
    ARRAY,
    Column,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import UUID as PgUUID

metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _id() -> Column:  # type: ignore[type-arg]
    return Column("id", PgUUID(as_uuid=True), primary_key=True)


def _tenant() -> Column:  # type: ignore[type-arg]
    return Column("tenant_id", PgUUID(as_uuid=True), nullable=False)


def _created() -> Column:  # type: ignore[type-arg]
    return Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now())


practices = Table(
    "practices",
    metadata,
    _id(),
    _tenant(),
    Column("name", String(200), nullable=False),
    Column("npi", String(10), nullable=False),
    Column("tax_id", String(9), nullable=False),
    Column("taxonomy", String(10), nullable=False),
    Column("address", JSONB, nullable=False),
    Column("billing_entity", String(12), nullable=False, server_default="organization"),  # or individual (type 1)
    Column("first_name", String(100)),  # the clinician, when billing as an individual
    Column("last_name", String(100)),
    # IANA, e.g. America/Los_Angeles: the practice's calendar, its business dates; NULL: the platform's default
    Column("time_zone", String(64)),
    _created(),
    UniqueConstraint("tenant_id", "npi"),
)

providers = Table(
    "providers",
    metadata,
    _id(),
    _tenant(),
    Column("practice_id", PgUUID(as_uuid=True), ForeignKey("practices.id"), nullable=False),
    Column("npi", String(10), nullable=False),
    Column("first_name", String(100), nullable=False),
    Column("last_name", String(100), nullable=False),
    Column("credential", String(10), nullable=False),
    Column("taxonomy", String(10), nullable=False),
    _created(),
    UniqueConstraint("practice_id", "npi"),
)

payers = Table(
    "payers",
    metadata,
    _id(),
    _tenant(),
    Column("practice_id", PgUUID(as_uuid=True), ForeignKey("practices.id"), nullable=False),
    Column("payer_id", String(80), nullable=False),
    Column("name", String(200), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("claim_filing_indicator", String(2), nullable=False),
    Column("policy_profile", String(80)),
    # Bumped by every change to the payer's fee schedules or policy overrides (see repository.ReferenceData).
    Column("revision", Integer, nullable=False, server_default="0"),
    _created(),
    UniqueConstraint("practice_id", "payer_id"),
)

# A payer's own policy settings, layered over the shipped ones from `effective_from` (history kept).
payer_policy_overrides = Table(
    "payer_policy_overrides",
    metadata,
    Column("payer_ref", PgUUID(as_uuid=True), ForeignKey("payers.id"), primary_key=True),
    Column("effective_from", Date, primary_key=True),
    Column("effective_to", Date),
    Column("settings", JSONB, nullable=False),
    _created(),
)

# A practice's own facts for one payer (docs/domain/payers.md), over our reference data from `effective_from`:
# the latest for a start replaces the one before; a withdrawn one is deleted (its event says so).
payer_fact_overrides = Table(
    "payer_fact_overrides",
    metadata,
    Column("tenant_id", PgUUID(as_uuid=True), primary_key=True),
    Column("practice_id", PgUUID(as_uuid=True), primary_key=True),
    Column("payer_id", String(80), primary_key=True),
    Column("effective_from", Date, primary_key=True),
    Column("effective_to", Date),
    Column("facts", JSONB, nullable=False),  # names and values as claimstream_platform.payers reads them
    _created(),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    ForeignKeyConstraint(["practice_id", "payer_id"], ["payers.practice_id", "payers.payer_id"]),
)

# Every PUT is a new version; the one in force on a date is the latest effective_from <= date, the latest
# created breaking ties, so a corrected schedule for the same date wins and the old one stays for audit.
fee_schedules = Table(
    "fee_schedules",
    metadata,
    _id(),
    _tenant(),
    Column("payer_ref", PgUUID(as_uuid=True), ForeignKey("payers.id"), nullable=False),
    Column("effective_from", Date, nullable=False),
    _created(),
    Index("ix_fee_schedules_payer", "payer_ref", "effective_from"),
)

fee_schedule_entries = Table(
    "fee_schedule_entries",
    metadata,
    Column("schedule_id", PgUUID(as_uuid=True), ForeignKey("fee_schedules.id"), primary_key=True),
    Column("code", String(5), primary_key=True),
    Column("modifiers", String(20), primary_key=True),  # sorted, ':'-joined; '' for none
    Column("amount", Numeric(10, 2), nullable=False),
)

encounters = Table(
    "encounters",
    metadata,
    _id(),
    _tenant(),
    Column("practice_id", PgUUID(as_uuid=True), ForeignKey("practices.id"), nullable=False),
    Column("external_id", String(80), nullable=False),
    Column("version", Integer, nullable=False),
    Column("status", String(20), nullable=False),
    Column("service_date", Date, nullable=False),
    Column("payer_id", String(80), nullable=False),
    Column("rendering_provider_npi", String(10), nullable=False),
    Column("place_of_service", String(2), nullable=False),
    Column("total_amount", Numeric(12, 2)),
    Column("request", JSONB, nullable=False),  # the submitted encounter, as the EHR sent it (PHI: never logged)
    Column("request_hash", String(64), nullable=False),
    Column("problems", JSONB, nullable=False),
    Column("warnings", JSONB, nullable=False),
    _created(),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    UniqueConstraint("tenant_id", "practice_id", "external_id"),
    Index("ix_encounters_practice_status", "tenant_id", "practice_id", "status"),
)

charge_lines = Table(
    "charge_lines",
    metadata,
    Column("encounter_id", PgUUID(as_uuid=True), ForeignKey("encounters.id"), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("line_number", Integer, primary_key=True),
    Column("code", String(5), nullable=False),
    Column("modifiers", ARRAY(String(2)), nullable=False),
    Column("units", Integer, nullable=False),
    Column("amount", Numeric(10, 2), nullable=False),
    Column("diagnosis_pointers", ARRAY(Integer), nullable=False),
    Column("minutes", Integer),
    Column("prior_authorization_number", String(50)),  # when it differs from the encounter's
)
