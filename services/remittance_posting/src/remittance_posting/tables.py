"""Remittance posting's tables. Money is NUMERIC; raw 835s are kept as received (PHI: never logged or listed)."""

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
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import UUID as PgUUID

metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _money(name: str, nullable: bool = False) -> Column:  # type: ignore[type-arg]
    return Column(name, Numeric(12, 2), nullable=nullable)


def _created() -> Column:  # type: ignore[type-arg]
    return Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now())


# The claims we may be paid for, as claim submission announced them (its events mapped into our own model).
known_claims = Table(
    "known_claims",
    metadata,
    Column("claim_id", PgUUID(as_uuid=True), primary_key=True),
    Column("tenant_id", PgUUID(as_uuid=True), nullable=False),
    Column("practice_id", PgUUID(as_uuid=True)),
    Column("patient_control_number", String(38), nullable=False, unique=True),
    Column("payer_id", String(80), nullable=False),
    Column("payer_claim_number", String(50)),  # the 277CA's, then the latest CLP07
    Column("lines", JSONB, nullable=False),  # line number, code, modifiers, amount, control number
    Column("service_date", Date, nullable=False),
    Column("accepted_at", DateTime(timezone=True)),  # the payer accepted it (277CA): its payment is due
    Column("responsibility", String(9), nullable=False, server_default="primary"),  # the billed payer's place
    _created(),
    Index("ix_known_claims_payer_number", "payer_claim_number"),
    Index("ix_known_claims_awaiting", "tenant_id", "payer_id", "accepted_at"),
)

era_files = Table(
    "era_files",
    metadata,
    Column("id", PgUUID(as_uuid=True), primary_key=True),
    Column("tenant_id", PgUUID(as_uuid=True)),  # the uploader's; None for the clearinghouse inbox (any tenant's)
    Column("source", String(100), nullable=False),  # inbox:<id> or upload
    Column("sha256", String(64), nullable=False),
    Column("content", Text, nullable=False),  # raw X12 (PHI)
    Column("status", String(20), nullable=False),  # read | rejected (unreadable: reason says where)
    Column("reason", String(300)),
    _created(),
    # the same file twice is recognised per uploader (the inbox's, no tenant, is one more): another tenant's
    # upload of the same bytes never makes a file a duplicate
    Index("uq_era_files_tenant_sha256", "tenant_id", "sha256", unique=True, postgresql_nulls_not_distinct=True),
)

remittances = Table(
    "remittances",
    metadata,
    Column("id", PgUUID(as_uuid=True), primary_key=True),
    Column("file_id", PgUUID(as_uuid=True), ForeignKey("era_files.id"), nullable=False),
    Column("tenant_id", PgUUID(as_uuid=True)),  # of its claims; None while none of them is matched
    Column("practice_id", PgUUID(as_uuid=True)),
    Column("control_number", String(9), nullable=False),  # ST02
    Column("payer_id", String(80), nullable=False),
    Column("payer_name", String(100), nullable=False),
    Column("trace_number", String(80), nullable=False),  # TRN02
    Column("trace_originator", String(20), nullable=False),  # TRN03
    Column("payee_npi", String(10), nullable=False),
    _money("total"),
    Column("credit", Boolean, nullable=False),
    Column("method", String(3), nullable=False),
    Column("paid_on", Date),
    Column("status", String(20), nullable=False),  # posted | held | duplicate
    Column("imbalances", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("claims", Integer, nullable=False),
    _created(),
    # a payer's trace (TRN02 with TRN03) posts once per tenant and payee: `Postings.trace_posted`
    Index("ix_remittances_trace", "trace_number", "trace_originator", "payer_id", "payee_npi", "tenant_id"),
    Index("ix_remittances_tenant", "tenant_id", "practice_id", "created_at"),
)

claim_payments = Table(
    "claim_payments",
    metadata,
    Column("id", PgUUID(as_uuid=True), primary_key=True),
    Column("seq", BigInteger, Identity(), nullable=False),  # the order payments were stored in
    Column("remittance_id", PgUUID(as_uuid=True), ForeignKey("remittances.id"), nullable=False),
    Column("tenant_id", PgUUID(as_uuid=True)),
    Column("practice_id", PgUUID(as_uuid=True)),
    Column("claim_id", PgUUID(as_uuid=True)),  # None while unmatched
    Column("patient_control_number", String(38), nullable=False),  # CLP01
    Column("payer_claim_number", String(50)),  # CLP07
    Column("claim_status", String(2), nullable=False),  # CLP02
    Column("outcome", String(20), nullable=False),
    _money("charge"),
    _money("paid"),
    _money("patient_responsibility"),
    _money("allowed", nullable=True),
    Column("state", String(20), nullable=False),  # posted | unmatched | reversed
    Column("reason", String(300)),  # why it is unmatched
    Column("matched_by", String(30)),  # patient_control_number | payer_claim_number | assigned
    Column("detail", JSONB, nullable=False),  # the claim payment as read (adjustments, lines, remarks; no PHI)
    # the posting as announced: its outcome, adjustments and lines with each adjustment's class (None: unmatched)
    Column("posting", JSONB),
    _created(),
    Index("ix_claim_payments_claim", "tenant_id", "claim_id"),
    Index("ix_claim_payments_seq", "seq", unique=True),
    Index("ix_claim_payments_unmatched", "patient_control_number", postgresql_where=text("state = 'unmatched'")),
)

# The provider ledger: PLB amounts (interest, recoupments, forward balances), never on a patient's claim.
provider_adjustments = Table(
    "provider_adjustments",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("remittance_id", PgUUID(as_uuid=True), ForeignKey("remittances.id"), nullable=False),
    Column("tenant_id", PgUUID(as_uuid=True)),
    Column("practice_id", PgUUID(as_uuid=True)),
    Column("payee_npi", String(80), nullable=False),
    Column("reason", String(10), nullable=False),  # PLB03-1
    Column("reference", String(80), nullable=False),  # PLB03-2
    _money("amount"),  # positive reduces the payment
    Column("claim_id", PgUUID(as_uuid=True)),  # the claim the reference names, when known
    _created(),
    Index("ix_provider_adjustments_tenant", "tenant_id", "practice_id", "id"),
)

# What a payer overpaid on a claim and was sent back on its request (the rest of an overpayment waits for its
# recoupment): repository/ledger.py subtracts it from the payers' overpayments.
payer_refunds = Table(
    "payer_refunds",
    metadata,
    Column("id", PgUUID(as_uuid=True), primary_key=True),
    Column("tenant_id", PgUUID(as_uuid=True), nullable=False),
    Column("practice_id", PgUUID(as_uuid=True)),
    Column("claim_id", PgUUID(as_uuid=True), nullable=False),
    Column("payer_id", String(80), nullable=False),
    _money("amount"),
    Column("reference", String(80), nullable=False),  # the check's number or the payer's request reference
    Column("sent_on", Date, nullable=False),
    Column("sent_by", String(200), nullable=False),
    _created(),
    Index("ix_payer_refunds_claim", "tenant_id", "claim_id"),
)

# What each practice's contract with a payer says it allows per code (and modifiers), from a date.
contract_rates = Table(
    "contract_rates",
    metadata,
    Column("tenant_id", PgUUID(as_uuid=True), primary_key=True),
    Column("practice_id", PgUUID(as_uuid=True), primary_key=True),
    Column("payer_id", String(80), primary_key=True),
    Column("code", String(5), primary_key=True),
    Column("modifiers", String(20), primary_key=True),  # sorted, ":"-joined; "" for the code alone
    Column("effective_from", Date, primary_key=True),
    _money("amount"),
    _created(),
)

variances = Table(
    "variances",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("tenant_id", PgUUID(as_uuid=True), nullable=False),
    Column("practice_id", PgUUID(as_uuid=True)),
    Column("claim_id", PgUUID(as_uuid=True), nullable=False),
    Column("remittance_id", PgUUID(as_uuid=True), ForeignKey("remittances.id"), nullable=False),
    Column("payer_id", String(80), nullable=False),
    Column("line_number", Integer),
    Column("code", String(5), nullable=False),
    Column("paid_code", String(5), nullable=False),
    Column("kind", String(20), nullable=False),  # underpaid | downcoded
    _money("expected", nullable=True),
    _money("allowed"),
    _money("difference", nullable=True),
    Column("reasons", JSONB, nullable=False),
    _created(),
    Index("ix_variances_tenant", "tenant_id", "practice_id", "id"),
)

# A payer gone quiet: accepted claims, no payment for them in the configured days. One open row per payer.
payer_silences = Table(
    "payer_silences",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("tenant_id", PgUUID(as_uuid=True), nullable=False),
    Column("payer_id", String(80), nullable=False),
    Column("claims_waiting", Integer, nullable=False),
    Column("oldest_accepted_on", Date, nullable=False),
    Column("last_payment_on", Date),
    _created(),
    Column("ended_at", DateTime(timezone=True)),  # a payment from the payer arrived
    Index("ix_payer_silences_open", "tenant_id", "payer_id", unique=True, postgresql_where=text("ended_at IS NULL")),
)
