"""The simulator's own tables: what it received, its payers' members, its claims, the submitters' inboxes."""

from claimstream_platform.db import NAMING_CONVENTION
from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    MetaData,
    Numeric,
    Sequence,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import UUID as PgUUID

metadata = MetaData(naming_convention=NAMING_CONVENTION)

# Outbound interchange control numbers (ISA13/GS06) and payer claim numbers: never repeated.
control_numbers = Sequence("control_numbers", metadata=metadata, start=1000)
payer_claim_numbers = Sequence("payer_claim_numbers", metadata=metadata, start=100000)
# The payers' business days: each adjudication cycle is the next (a review "90 days after the payment" counts them).
cycle_days = Sequence("cycle_days", metadata=metadata, start=1)

submissions = Table(
    "submissions",
    metadata,
    Column("id", PgUUID(as_uuid=True), primary_key=True),
    Column("submitter", PgUUID(as_uuid=True), nullable=False),
    Column("sender_id", String(15), nullable=False),
    Column("interchange_control", String(9), nullable=False),
    Column("content_sha256", String(64)),  # of the body as received, answered with a 409 for a repeated ISA13
    Column("received_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    UniqueConstraint("submitter", "sender_id", "interchange_control"),
)

# A roster per submitter: a submitter sees, and its claims are matched against, only the members it enrolled.
members = Table(
    "members",
    metadata,
    Column("submitter", PgUUID(as_uuid=True), primary_key=True),
    Column("payer_id", String(20), primary_key=True),
    Column("member_id", String(80), primary_key=True),
    Column("first_name", String(100), nullable=False),
    Column("last_name", String(100), nullable=False),
    Column("birth_date", Date, nullable=False),
    Column("coverage_start", Date, nullable=False),
    Column("coverage_end", Date),
    Column("deductible", Numeric(10, 2), nullable=False),
    Column("deductible_met", Numeric(10, 2), nullable=False, server_default="0"),
    Column("coinsurance", Numeric(4, 3), nullable=False),
    Column("copay", Numeric(10, 2), nullable=False),
    Column("benefit_year", Integer, nullable=False),
    Column("visits_used", Integer, nullable=False, server_default="0"),
    # electronic: the member's claims are remitted in 835s; paper: adjudicated and paid by check, no 835
    Column("remittance", String(10), nullable=False, server_default="electronic"),
)

claims = Table(
    "claims",
    metadata,
    Column("id", PgUUID(as_uuid=True), primary_key=True),
    Column("submitter", PgUUID(as_uuid=True), nullable=False),
    Column("submission_id", PgUUID(as_uuid=True), ForeignKey("submissions.id"), nullable=False),
    Column("payer_id", String(20), nullable=False),
    Column("payer_claim_number", String(30), unique=True),
    Column("patient_control_number", String(38), nullable=False),
    Column("status", String(20), nullable=False),  # rejected | accepted | adjudicated | reversed
    Column("claim_status", String(20), nullable=False),  # the 277CA STC01
    Column("duplicate_key", String(300), nullable=False),
    Column("claim", JSONB, nullable=False),  # the claim as read (PHI: never logged)
    Column("adjudication", JSONB),
    Column("paid", Numeric(12, 2)),
    Column("received_on", Date, nullable=False),
    Column("adjudicated_at", DateTime(timezone=True)),
    Column("remittance", String(10)),  # how the payer remitted it (electronic, paper), once adjudicated
    Column("review_day", Integer),  # the cycle on which the payer's review finds it overpaid and takes money back
    Index("ix_claims_accepted", "received_on", postgresql_where=text("status = 'accepted'")),
    Index("ix_claims_review_day", "review_day", postgresql_where=text("review_day IS NOT NULL")),
    Index("ix_claims_duplicate_key", "duplicate_key"),
)

documents = Table(
    "documents",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("submitter", PgUUID(as_uuid=True), nullable=False),
    Column("kind", String(10), nullable=False),  # 277CA, 835
    Column("content", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("acknowledged_at", DateTime(timezone=True)),
    Index("ix_documents_unread", "submitter", "id", postgresql_where=text("acknowledged_at IS NULL")),
)

# What each payee owes a payer from an earlier 835 (PLB FB carried forward), taken back from later 835s.
forward_balances = Table(
    "forward_balances",
    metadata,
    Column("submitter", PgUUID(as_uuid=True), primary_key=True),
    Column("payer_id", String(20), primary_key=True),
    Column("payee_npi", String(10), primary_key=True),
    Column("reference", String(30), primary_key=True),  # the payer's claim number that caused it
    Column("amount", Numeric(12, 2), nullable=False),
)

# 278 requests a payer pended: asked again (the same trace), it decides.
pended_reviews = Table(
    "pended_reviews",
    metadata,
    Column("submitter", PgUUID(as_uuid=True), primary_key=True),
    Column("trace", String(50), primary_key=True),
    Column("pended_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
