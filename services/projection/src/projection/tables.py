"""The projection's tables: the facts it keeps (the event history it folds), and the read models folded from them.
Money is NUMERIC. No names, birth dates, member ids or diagnoses are stored here.

The read model is disposable: everything but `facts` is derived, and `python -m projection rebuild` makes all of
it anew from the topics. A change to these tables ships as a migration that recreates them, then a rebuild. The
rebuild's own record of its runs (`rebuilds`) is no part of it: a rebuild leaves it alone."""

from claimstream_platform.db import NAMING_CONVENTION
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Uuid,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.sql import literal_column, text

metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _money(name: str) -> Column:  # type: ignore[type-arg]
    return Column(name, Numeric(12, 2), nullable=False, server_default="0")


def _at(name: str, nullable: bool = True) -> Column:  # type: ignore[type-arg]
    return Column(name, DateTime(timezone=True), nullable=nullable)


def _ids() -> list[Column]:  # type: ignore[type-arg]
    return [
        Column("tenant_id", Uuid, nullable=False),
        Column("practice_id", Uuid, nullable=True),
        Column("encounter_id", Uuid, nullable=True),
    ]


# Every event that concerns an encounter or a claim, as the projection's fact (facts.py): the claim timeline,
# and what an encounter is folded from.
facts = Table(
    "facts",
    metadata,
    Column("event_id", Uuid, primary_key=True),
    *_ids(),
    Column("claim_id", Uuid, nullable=True),
    Column("type", String(60), nullable=False),
    Column("source", String(80), nullable=False),
    _at("at", nullable=False),
    Column("data", JSONB, nullable=False),
    Index("ix_facts_encounter", "tenant_id", "encounter_id"),
    Index("ix_facts_claim", "tenant_id", "claim_id"),
    Index("ix_facts_patient_money", "tenant_id", "type", postgresql_where=text("type LIKE 'patient.%'")),
)
# The patient accounts' money events among the facts: a query that names this predicate uses the index above.
PATIENT_MONEY = facts.c.type.like(literal_column("'patient.%'"))  # written out, never a parameter: the planner
# matches a partial index's predicate against the query's text, and a prepared statement's parameter is unknown

claims = Table(
    "claims",
    metadata,
    Column("claim_id", Uuid, primary_key=True),
    *_ids(),
    Column("external_id", String(80)),  # the encounter's id in the EHR
    Column("provider_npi", String(10)),
    Column("patient_ref", String(80)),
    Column("payer_id", String(80), nullable=False),
    Column("responsibility", String(10), nullable=False),
    Column("frequency", String(1), nullable=False),
    Column("replaces_claim_id", Uuid),
    Column("patient_control_number", String(38), nullable=False),
    Column("payer_claim_number", String(50)),
    Column("service_date", Date, nullable=False),
    Column("procedure_code", String(5)),
    Column("status", String(20), nullable=False),
    *[
        _money(name)
        for name in (
            "charged",
            "allowed",
            "paid",
            "contractual",
            "payment_adjustments",
            "denied",
            "patient_responsibility",
            "written_off",
            "recouped",
            "interest",
            "underpaid",
            "insurance_balance",
            "patient_balance",
        )
    ],
    *[
        _at(name)
        for name in (
            "created_at",
            "submitted_at",
            "held_at",
            "rejected_at",
            "accepted_at",
            "adjudicated_at",
            "paid_at",
            "closed_at",
            "last_event_at",
        )
    ],
    Column("succeeded_by", Uuid),  # the claim that replaced it
    Column("took_over_from", Uuid),  # a later payer's claim: the claim whose patient share it took over
    Column("first_denied", Boolean, nullable=False, server_default="false"),
    _money("first_denied_amount"),
    Column("denial_category", String(40)),
    Column("facts", Integer, nullable=False, server_default="0"),
    Index("ix_claims_practice", "tenant_id", "practice_id", "claim_id"),
    Index("ix_claims_service_date", "tenant_id", "practice_id", "service_date"),
    Index("ix_claims_encounter", "tenant_id", "encounter_id"),
    Index("ix_claims_external", "tenant_id", "external_id"),
)

# Each claim's dated balance movements per party: what aging and balances as of any date sum.
ledger = Table(
    "ledger",
    metadata,
    Column("claim_id", Uuid, primary_key=True),
    Column("seq", Integer, primary_key=True),
    *_ids(),
    Column("payer_id", String(80), nullable=False),
    Column("provider_npi", String(10)),
    Column("patient_ref", String(80)),
    Column("service_date", Date, nullable=False),
    _at("at", nullable=False),
    Column("line_number", Integer),  # the claim's line; NULL for what concerns the claim as a whole
    Column("party", String(10), nullable=False),
    Column("kind", String(30), nullable=False),
    Column("amount", Numeric(12, 2), nullable=False),
    # Aging, balances and KPIs sum a practice's entries up to a date from this index alone (an index-only scan).
    Index(
        "ix_ledger_practice_at",
        "tenant_id",
        "practice_id",
        "at",
        postgresql_include=["claim_id", "service_date", "payer_id", "party", "kind", "amount"],
    ),
    Index("ix_ledger_encounter", "tenant_id", "encounter_id"),
)

denial_cases = Table(
    "denial_cases",
    metadata,
    Column("case_id", Uuid, primary_key=True),
    *_ids(),
    Column("claim_id", Uuid, nullable=False),
    Column("payer_id", String(80), nullable=False),
    Column("provider_npi", String(10)),
    Column("procedure_code", String(5)),
    Column("kind", String(10), nullable=False),
    Column("category", String(40), nullable=False),
    Column("codes", ARRAY(String(40)), nullable=False),
    Column("line_number", Integer),  # a line's denial; NULL for the claim's
    _money("recoverable"),
    _at("opened_at", nullable=False),
    Column("automatic", Boolean, nullable=False),
    Column("resolution", String(30)),
    _at("resolved_at"),
    _money("recovered"),
    _money("written_off"),
    Index("ix_denial_cases_practice", "tenant_id", "practice_id", "opened_at"),
    Index("ix_denial_cases_encounter", "tenant_id", "encounter_id"),
)

# Events per minute per topic and type, for stream health (every event the projection reads, stored or not).
stream_counts = Table(
    "stream_counts",
    metadata,
    Column("tenant_id", Uuid, primary_key=True),
    Column("topic", String(80), primary_key=True),
    Column("event_type", String(120), primary_key=True),
    Column("minute", DateTime(timezone=True), primary_key=True),
    Column("count", BigInteger, nullable=False),
    # The connection that wrote the row: concurrent batches add to rows of their own, never wait on one another's
    # (migration 0009); a minute's count is the sum of its rows.
    Column("writer", Integer, primary_key=True, server_default=text("pg_backend_pid()")),
)

# The runs of `python -m projection rebuild` (rebuild_progress.py): one row each, its phase and the records it has
# read of those it will read, written as it goes by the owner (the role that runs it) and read by installation
# operators. The installation's, no tenant's: counts only, and no tenant_id, so no wall.
rebuilds = Table(
    "rebuilds",
    metadata,
    Column("id", Uuid, primary_key=True),
    _at("started_at", nullable=False),
    Column("phase", String(20), nullable=False),  # runs.py names them
    Column("records_total", BigInteger),  # NULL until the reading has asked the topics where they end
    Column("records_done", BigInteger, nullable=False, server_default="0"),
    _at("updated_at", nullable=False),  # every second while it runs
    _at("finished_at"),
    Column("outcome", String(300)),  # counts, or why it refused or failed: never a value of an event
)
