"""Denial management's tables. Money is NUMERIC. No patient names, member ids or diagnoses are stored here.

The payers' approved authorizations (`authorizations`, in this schema too) are the platform's read model,
`claimstream_platform.approvals`, defined there once for every service that keeps them."""

from claimstream_platform.db import NAMING_CONVENTION
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Table,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import UUID as PgUUID

metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _money(name: str) -> Column:  # type: ignore[type-arg]
    return Column(name, Numeric(12, 2), nullable=False, server_default="0")


def _at(name: str) -> Column:  # type: ignore[type-arg]
    return Column(name, DateTime(timezone=True), nullable=False, server_default=func.now())


# The claims denials may concern, from claim submission's events (mapped into our own model at the edge).
claims = Table(
    "claims",
    metadata,
    Column("claim_id", PgUUID(as_uuid=True), primary_key=True),
    Column("tenant_id", PgUUID(as_uuid=True), nullable=False),
    Column("practice_id", PgUUID(as_uuid=True)),
    Column("encounter_id", PgUUID(as_uuid=True), nullable=False),
    Column("patient_control_number", String(38), nullable=False),
    Column("payer_id", String(80), nullable=False),
    Column("payer_kind", String(10)),  # medicare | medicaid | commercial, as the claim says; NULL: not said
    Column("payer_claim_number", String(50)),
    Column("service_date", Date, nullable=False),
    Column("place_of_service", String(2)),
    Column("lines", JSONB, nullable=False),  # [{line_number, code, modifiers, amount}]
    _money("total_charge"),
    Column("replaces_claim_id", PgUUID(as_uuid=True)),
    Column("accepted_on", Date),  # the 277CA acceptance: proof of timely filing
    Column("patient_ref", String(80)),
    Column("authorization_number", String(50)),  # REF*G1 as billed
    Column("prior_payer_paid_on", Date),  # a later payer's claim: when the payer before it paid
    _money("paid"),  # every payment posted to it
    _at("created_at"),
    Index("ix_claims_encounter", "tenant_id", "encounter_id"),
    Index("ix_claims_replaces", "replaces_claim_id"),
)

cases = Table(
    "cases",
    metadata,
    Column("id", PgUUID(as_uuid=True), primary_key=True),
    Column("tenant_id", PgUUID(as_uuid=True), nullable=False),
    Column("practice_id", PgUUID(as_uuid=True)),
    Column("claim_id", PgUUID(as_uuid=True), nullable=False),
    Column("source_key", String(200), nullable=False, unique=True),  # the denial event: opened once
    Column("kind", String(10), nullable=False),  # denial | rejection
    Column("level", String(5), nullable=False),  # claim | line
    Column("line_number", Integer),
    Column("procedure_code", String(5)),
    Column("payer_id", String(80), nullable=False),
    Column("codes", JSONB, nullable=False),
    Column("category", String(40), nullable=False),
    Column("action", String(300), nullable=False),
    Column("fix", String(30)),
    Column("appeal", Boolean, nullable=False),
    _money("amount"),
    Column("denied_on", Date, nullable=False),
    Column("service_date", Date, nullable=False),
    Column("deadline", Date),
    Column("deadline_basis", String(30)),  # remittance_date | service_date | prior_payer_paid_on
    Column("priority", BigInteger, nullable=False),
    Column("status", String(12), nullable=False),
    Column("automatic", Boolean, nullable=False),
    Column("resolution", String(30)),
    Column("assignee", String(200)),
    _money("recovered"),
    _money("written_off"),
    Column("warned", Boolean, nullable=False, server_default="false"),
    _at("created_at"),
    _at("updated_at"),
    Index("ix_cases_queue", "tenant_id", "status", "priority"),
    Index("ix_cases_claim", "claim_id"),
    Index("ix_cases_due", "deadline", "status"),
)

case_history = Table(
    "case_history",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("case_id", PgUUID(as_uuid=True), ForeignKey("cases.id"), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("action", String(40), nullable=False),
    Column("detail", JSONB, nullable=False),
    _at("at"),
    Index("ix_case_history_case", "case_id"),
)

# Scrub rules learned from denial patterns: suggested with their evidence, then accepted or rejected by staff.
rule_suggestions = Table(
    "rule_suggestions",
    metadata,
    Column("id", PgUUID(as_uuid=True), primary_key=True),
    Column("tenant_id", PgUUID(as_uuid=True), nullable=False),
    Column("payer_id", String(80), nullable=False),
    Column("procedure_code", String(5), nullable=False),
    Column("carc", String(10), nullable=False),  # GROUP-CARC
    Column("category", String(40), nullable=False),
    Column("condition", String(30), nullable=False),
    Column("message", String(300), nullable=False),
    Column("claims", Integer, nullable=False),
    _money("amount"),
    Column("status", String(10), nullable=False),  # suggested | accepted | rejected
    Column("decided_by", String(200)),
    _at("created_at"),
    _at("updated_at"),
    UniqueConstraint("tenant_id", "payer_id", "procedure_code", "carc"),
)

appeals = Table(
    "appeals",
    metadata,
    Column("id", PgUUID(as_uuid=True), primary_key=True),
    Column("case_id", PgUUID(as_uuid=True), ForeignKey("cases.id"), nullable=False),
    Column("tenant_id", PgUUID(as_uuid=True), nullable=False),
    Column("packet", JSONB, nullable=False),
    Column("letter", LargeBinary, nullable=False),  # the rendered PDF
    _at("created_at"),
    Index("ix_appeals_case", "case_id"),
)

# The most a biller may write off on one case, as the tenant admin sets it (none set: work.DEFAULT_WRITE_OFF_LIMIT).
write_off_limits = Table(
    "write_off_limits",
    metadata,
    Column("tenant_id", PgUUID(as_uuid=True), primary_key=True),
    Column("per_case", Numeric(12, 2), nullable=False),
    Column("set_by", String(200), nullable=False),
    _at("set_at"),
)

# Events about a claim that came before the claim (ClaimCreated is claim submission's, payments and denials
# remittance posting's: other topics, either order; a dead letter redriven comes after what followed it). Kept in
# the order they came, and applied when the claim arrives.
early_events = Table(
    "early_events",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("tenant_id", PgUUID(as_uuid=True), nullable=False),
    Column("claim_id", PgUUID(as_uuid=True), nullable=False),
    Column("event_type", String(100), nullable=False),
    Column("payload", JSONB, nullable=False),  # the event as published (no patient names: the contracts carry none)
    _at("received_at"),
    Index("ix_early_events_claim", "claim_id"),
)

# A bulk action (assign or write off every case a filter found), worked a chunk at a time by the worker so that
# the person sees its progress (bulk.py); its cases were chosen, and a write-off checked against the limit whole,
# when it was asked for. Seen only by the person who asked.
bulk_jobs = Table(
    "bulk_jobs",
    metadata,
    Column("id", PgUUID(as_uuid=True), primary_key=True),
    Column("tenant_id", PgUUID(as_uuid=True), nullable=False),
    Column("requested_by", String(200), nullable=False),  # the principal's subject: the cases' history names it
    Column("action", String(20), nullable=False),  # assign | write_off
    Column("assignee", String(200)),
    Column("reason", String(500)),
    _at("requested_at"),
    Column("worked_at", DateTime(timezone=True)),  # its last chunk: the job waiting longest gets the next one
    Column("finished_at", DateTime(timezone=True)),  # NULL: cases still to work
    Index("ix_bulk_jobs_unfinished", "requested_at", postgresql_where=text("finished_at IS NULL")),
)

bulk_job_cases = Table(
    "bulk_job_cases",
    metadata,
    Column("job_id", PgUUID(as_uuid=True), ForeignKey("bulk_jobs.id", ondelete="CASCADE"), primary_key=True),
    Column("case_id", PgUUID(as_uuid=True), primary_key=True),
    Column("tenant_id", PgUUID(as_uuid=True), nullable=False),
    Column("practice_id", PgUUID(as_uuid=True)),  # the case's: a job is seen only by a token that may see all its cases
    Column("position", Integer, nullable=False),  # the queue's order when chosen: worked in it
    # The case as it stood when chosen: one that moved on since (appealed, taken into correction, assigned to
    # someone else) is skipped, never acted on over what happened in between.
    Column("chosen_status", String(12), nullable=False),
    Column("chosen_assignee", String(200)),
    Column("outcome", String(10)),  # done | skipped; NULL: still to work
    Column("why", String(200)),  # a skipped case's reason (no PHI: the case's state, the limit)
)
