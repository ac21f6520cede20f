"""Eligibility's tables. It owns what a 270 needs (the patient's name, birth date and member id: never logged,
never in an event) and each check's answer. Money is NUMERIC (inside the summary, as decimal strings)."""

from claimstream_platform.db import NAMING_CONVENTION
from sqlalchemy import Column, Date, DateTime, Index, MetaData, Numeric, Sequence, String, Table, Text, Uuid, func
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

metadata = MetaData(naming_convention=NAMING_CONVENTION)

# ISA13 of our 270s: never repeated for our sender id at the clearinghouse.
interchange_control = Sequence("interchange_control", metadata=metadata, start=1, maxvalue=999_999_999, cycle=True)

checks = Table(
    "checks",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("tenant_id", Uuid, nullable=False),
    Column("practice_id", Uuid, nullable=False),
    Column("patient_ref", String(80), nullable=False),
    Column("first_name", String(60), nullable=False),
    Column("last_name", String(60), nullable=False),
    Column("birth_date", Date, nullable=False),
    Column("payer_id", String(80), nullable=False),
    Column("member_id", String(80), nullable=False),
    Column("service_date", Date, nullable=False),
    Column("service_types", ARRAY(String(2)), nullable=False),
    Column("provider_npi", String(10), nullable=False),
    Column("provider_name", String(60), nullable=False),
    Column("status", String(10), nullable=False),
    Column("summary", JSONB),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("answered_at", DateTime(timezone=True)),
    # The 270 as written before it is sent, sent again byte for byte by a retry; cleared with the answer.
    Column("inquiry", Text),
    Column("asked_at", DateTime(timezone=True)),  # when it last went out: the loop leaves it alone for a while
    Index("ix_checks_patient", "tenant_id", "practice_id", "patient_ref", "payer_id", "service_date"),
    Index("ix_checks_pending", "status", "created_at"),  # the loop's next pending checks (Checks.pending)
)

# Good Faith Estimates for self-pay and uninsured patients, and the charges billed against each (one row per
# encounter, in the part of its provider or facility: a re-coded encounter replaces its row, a voided one is
# removed). `exceeded_at`: when a first part was exceeded.
good_faith_estimates = Table(
    "good_faith_estimates",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("tenant_id", Uuid, nullable=False),
    Column("practice_id", Uuid, nullable=False),
    Column("patient_ref", String(80), nullable=False),
    Column("document", JSONB, nullable=False),  # the estimate as issued (names the patient: never in an event)
    Column("period_from", Date, nullable=False),
    Column("period_to", Date, nullable=False),
    Column("total", Numeric(12, 2), nullable=False),
    Column("exceeded_at", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_good_faith_estimates_patient", "tenant_id", "practice_id", "patient_ref"),
)

estimate_charges = Table(
    "estimate_charges",
    metadata,
    Column("estimate_id", Uuid, primary_key=True),
    Column("encounter_id", Uuid, primary_key=True),
    Column("provider_npi", String(10), nullable=False),  # the part it counts against: its provider or facility
    Column("amount", Numeric(12, 2), nullable=False),
    Index("ix_estimate_charges_part", "estimate_id", "provider_npi"),
)

# The parts of an estimate billed $400 or more above them: announced once each.
estimate_parts_exceeded = Table(
    "estimate_parts_exceeded",
    metadata,
    Column("estimate_id", Uuid, primary_key=True),
    Column("provider_npi", String(10), primary_key=True),
    Column("exceeded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
