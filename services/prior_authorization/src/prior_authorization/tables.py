"""Prior authorization's tables. It owns what a 278 needs (the patient's name, birth date and member id: never
logged, never in an event), each authorization's decision and what the captured charges used of it."""

from claimstream_platform.db import NAMING_CONVENTION
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Sequence,
    String,
    Table,
    Text,
    Uuid,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY

metadata = MetaData(naming_convention=NAMING_CONVENTION)

# ISA13 of our 278s: never repeated for our sender id at the clearinghouse.
interchange_control = Sequence("interchange_control", metadata=metadata, start=1, maxvalue=999_999_999, cycle=True)

authorizations = Table(
    "authorizations",
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
    Column("provider_npi", String(10), nullable=False),
    Column("provider_name", String(60), nullable=False),
    Column("codes", ARRAY(String(5)), nullable=False),
    Column("diagnoses", ARRAY(String(8)), nullable=False),
    Column("requested", Integer, nullable=False),
    Column("unit", String(6), nullable=False),
    Column("start", Date, nullable=False),
    Column("end", Date, nullable=False),
    Column("certification", String(1), nullable=False),
    Column("previous_number", String(50), nullable=False),
    Column("status", String(12), nullable=False),
    Column("source", String(6), nullable=False),
    Column("number", String(50), nullable=False),
    Column("approved", Integer, nullable=False),
    Column("used", Integer, nullable=False),
    Column("partial", Boolean, nullable=False),
    Column("reason", String(80), nullable=False),
    Column("warned", ARRAY(String(8)), nullable=False),
    Column("reviews", ARRAY(Integer), nullable=False),
    Column("over_drawn", Integer, nullable=False, server_default="0"),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    # The 278 being asked, as written before it is sent, sent again byte for byte by a retry; cleared with the decision.
    Column("inquiry", Text),
    Column("asked_at", DateTime(timezone=True)),  # when it last went out: the loop leaves it alone for a while
    Index("ix_authorizations_patient", "tenant_id", "practice_id", "patient_ref", "payer_id"),
    Index("ix_authorizations_open", "status", "updated_at"),
)

# Each authorization's lines: a service the payer decided on its own (or codes that share one quantity), with its
# decision, what it approved and what the charges used of it and beyond it. The authorization's approved, used and
# over_drawn are their sums.
authorization_lines = Table(
    "authorization_lines",
    metadata,
    Column("authorization_id", Uuid, ForeignKey("authorizations.id"), primary_key=True),
    Column("line_number", Integer, primary_key=True),
    Column("codes", ARRAY(String(5)), nullable=False),
    Column("requested", Integer, nullable=False),
    Column("unit", String(6), nullable=False),
    Column("status", String(12), nullable=False),
    Column("action", String(2), nullable=False),
    Column("number", String(50), nullable=False),
    Column("reason", String(80), nullable=False),
    Column("approved", Integer, nullable=False),
    Column("used", Integer, nullable=False),
    Column("over_drawn", Integer, nullable=False),
    Column("partial", Boolean, nullable=False),
    Column("start", Date, nullable=False),
    Column("end", Date, nullable=False),
)

# What each captured charge used of an authorization's line: one row per line and encounter version, so a
# redelivered charge is counted once and a voided one gives back exactly what it used (and went over).
consumptions = Table(
    "consumptions",
    metadata,
    Column("authorization_id", Uuid, ForeignKey("authorizations.id"), primary_key=True),
    Column("line_number", Integer, primary_key=True, server_default="0"),
    Column("encounter_id", Uuid, primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("tenant_id", Uuid, nullable=False),
    Column("service_date", Date, nullable=False),
    Column("used", Integer, nullable=False),
    Column("over_drawn", Integer, nullable=False, server_default="0"),
    Column("consumed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("returned_at", DateTime(timezone=True)),
    Index("ix_consumptions_encounter", "tenant_id", "encounter_id"),
)

# The visits each patient had with each payer (one row per encounter, from the captured charges; a voided
# encounter version is removed): for rules that want an authorization after a number of visits a year.
visits = Table(
    "visits",
    metadata,
    Column("tenant_id", Uuid, primary_key=True),
    Column("encounter_id", Uuid, primary_key=True),
    Column("version", Integer, nullable=False),
    Column("practice_id", Uuid, nullable=False),
    Column("patient_ref", String(80), nullable=False),
    Column("payer_id", String(80), nullable=False),
    Column("service_date", Date, nullable=False),
    Index("ix_visits_patient", "tenant_id", "practice_id", "patient_ref", "payer_id", "service_date"),
)
