"""Patient billing's tables. Money is NUMERIC. The patient is the practice's patient id: no names, birth dates,
member ids or diagnoses are stored here, and no card numbers (cards are a processor's tokens)."""

from claimstream_platform.db import NAMING_CONVENTION
from sqlalchemy import (
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import UUID as PgUUID

metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _money(name: str) -> Column:  # type: ignore[type-arg]
    return Column(name, Numeric(12, 2), nullable=False, server_default="0")


def _created() -> Column:  # type: ignore[type-arg]
    return Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now())


accounts = Table(
    "accounts",
    metadata,
    Column("id", PgUUID(as_uuid=True), primary_key=True),  # derived from tenant, practice and patient (`account_id`)
    Column("tenant_id", PgUUID(as_uuid=True), nullable=False),
    Column("practice_id", PgUUID(as_uuid=True), nullable=False),
    Column("patient_ref", String(80), nullable=False),
    _money("unapplied"),
    _created(),
    UniqueConstraint("tenant_id", "practice_id", "patient_ref"),
)

visits = Table(
    "visits",
    metadata,
    Column("encounter_id", PgUUID(as_uuid=True), primary_key=True),
    Column("tenant_id", PgUUID(as_uuid=True), nullable=False),
    Column("account_id", PgUUID(as_uuid=True), ForeignKey("accounts.id"), nullable=False, index=True),
    Column("service_date", Date),  # None: paid at the desk before the insurance said anything of the visit
    _money("share"),
    Column("version", Integer, nullable=False, server_default="0"),  # the projection's announcement it is from
    _money("insurance_open"),
    _money("paid"),
    _money("adjusted"),
)

payments = Table(
    "payments",
    metadata,
    Column("id", PgUUID(as_uuid=True), primary_key=True),
    Column("tenant_id", PgUUID(as_uuid=True), nullable=False),
    Column("account_id", PgUUID(as_uuid=True), ForeignKey("accounts.id"), nullable=False, index=True),
    Column("amount", Numeric(12, 2), nullable=False),
    Column("method", String(20), nullable=False),
    Column("received_on", Date, nullable=False),
    Column("encounter_id", PgUUID(as_uuid=True)),  # the visit the patient chose
    Column("unapplied", Numeric(12, 2), nullable=False),
    Column("recorded_by", String(200), nullable=False),
    _created(),
)

applications = Table(
    "applications",
    metadata,
    Column("payment_id", PgUUID(as_uuid=True), ForeignKey("payments.id"), primary_key=True),
    Column("encounter_id", PgUUID(as_uuid=True), primary_key=True),
    Column("tenant_id", PgUUID(as_uuid=True), nullable=False),
    Column("amount", Numeric(12, 2), nullable=False),
)

adjustments = Table(
    "adjustments",
    metadata,
    Column("id", PgUUID(as_uuid=True), primary_key=True),
    Column("tenant_id", PgUUID(as_uuid=True), nullable=False),
    Column("account_id", PgUUID(as_uuid=True), ForeignKey("accounts.id"), nullable=False, index=True),
    Column("encounter_id", PgUUID(as_uuid=True), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("amount", Numeric(12, 2), nullable=False),
    Column("reason", String(500), nullable=False),
    Column("approved_by", String(200), nullable=False),
    _created(),
)
