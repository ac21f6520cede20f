"""The billing office's tables. Money is NUMERIC. Nothing of a patient's is kept: a collection is an amount, a date
and the claim or payment it came from."""

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
    Numeric,
    String,
    Table,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import UUID as PgUUID

metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _id(name: str, *args: object, **kw: object) -> Column:  # type: ignore[type-arg]
    return Column(name, PgUUID(as_uuid=True), *args, **kw)  # type: ignore[arg-type]


def _money(name: str) -> Column:  # type: ignore[type-arg]
    return Column(name, Numeric(12, 2), nullable=False, server_default="0")


def _created() -> Column:  # type: ignore[type-arg]
    return Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now())


agreements = Table(
    "agreements",
    metadata,
    _id("id", primary_key=True),
    _id("tenant_id", nullable=False),
    _id("practice_id", nullable=False),
    Column("effective_from", Date, nullable=False),  # a month's first day
    Column("insurance_percent", Numeric(5, 2), nullable=False),
    Column("patient_percent", Numeric(5, 2), nullable=False),
    _money("minimum_fee"),
    _money("per_claim_fee"),
    _money("per_statement_fee"),
    Column("include_interest", Boolean, nullable=False, server_default="false"),
    Column("recorded_by", String(200), nullable=False),
    _created(),
)

collections = Table(
    "collections",
    metadata,
    _id("id", primary_key=True),
    _id("tenant_id", nullable=False),
    _id("practice_id", nullable=False),
    Column("party", String(10), nullable=False),  # insurance | patient
    Column("kind", String(20), nullable=False),  # domain.py: payment, recoupment, payer_refund, interest, refund ...
    _id("source_id", nullable=False),  # the claim, remittance, payment or refund it came from
    Column("payer_id", String(80)),
    Column("collected_on", Date, nullable=False),
    Column("amount", Numeric(12, 2), nullable=False),  # signed: positive is money the practice received
    _id("invoice_id", ForeignKey("invoices.id")),  # the invoice that counted it (once)
    _created(),
    Index("ix_collections_uncounted", "tenant_id", "practice_id", "collected_on"),
)

billable_items = Table(
    "billable_items",
    metadata,
    _id("tenant_id", primary_key=True),
    Column("kind", String(10), primary_key=True),  # claim | statement
    _id("source_id", primary_key=True),  # the claim or the statement: each counted once
    _id("practice_id", nullable=False),
    Column("counted_on", Date, nullable=False),
    _id("invoice_id", ForeignKey("invoices.id")),
)

invoices = Table(
    "invoices",
    metadata,
    _id("id", primary_key=True),
    _id("tenant_id", nullable=False),
    _id("practice_id", nullable=False),
    Column("month", Date, nullable=False),
    Column("number", String(40), nullable=False),
    Column("issued_on", Date, nullable=False),
    _id("agreement_id", ForeignKey("agreements.id"), nullable=False),
    Column("figures", JSONB, nullable=False),  # domain.Figures as issued
    Column("total", Numeric(12, 2), nullable=False),
    _money("credited"),
    _money("paid"),
    _created(),
    UniqueConstraint("tenant_id", "practice_id", "month"),
)

credit_notes = Table(
    "credit_notes",
    metadata,
    _id("id", primary_key=True),
    _id("tenant_id", nullable=False),
    _id("practice_id", nullable=False),
    _id("invoice_id", ForeignKey("invoices.id"), nullable=False, index=True),
    Column("amount", Numeric(12, 2), nullable=False),
    Column("reason", String(500), nullable=False),
    Column("issued_on", Date),
    Column("recorded_by", String(200), nullable=False),
    _created(),
)

invoice_payments = Table(
    "invoice_payments",
    metadata,
    _id("id", primary_key=True),
    _id("tenant_id", nullable=False),
    _id("practice_id", nullable=False),
    _id("invoice_id", ForeignKey("invoices.id"), nullable=False, index=True),
    Column("amount", Numeric(12, 2), nullable=False),
    Column("received_on", Date, nullable=False),
    Column("recorded_by", String(200), nullable=False),
    _created(),
)

remittances = Table(
    "remittances",
    metadata,
    _id("id", primary_key=True),  # remittance posting's remittance id
    _id("tenant_id", nullable=False),
    _id("practice_id"),
    Column("payer_id", String(80), nullable=False),
    Column("trace", String(50), nullable=False),  # TRN02
    Column("amount", Numeric(12, 2), nullable=False),  # BPR02
    Column("method", String(10)),  # BPR04
    Column("paid_on", Date, nullable=False),  # BPR16, else the day it was posted
    _id("deposit_id"),
    Column("alerted_on", Date),  # its mismatch announced (once)
    _created(),
    Index("ix_remittances_trace", "tenant_id", "trace"),
)

deposits = Table(
    "deposits",
    metadata,
    _id("id", primary_key=True),
    _id("tenant_id", nullable=False),
    _id("practice_id"),  # its remittance's, once matched
    Column("deposited_on", Date, nullable=False),
    Column("amount", Numeric(12, 2), nullable=False),
    Column("trace", String(50), nullable=False),
    Column("account", String(4), nullable=False),  # the bank account's last four digits
    Column("bank_reference", String(50), nullable=False),
    Column("source", String(10), nullable=False),  # bai2 | csv
    _id("remittance_id"),
    Column("alerted_on", Date),
    _created(),
    UniqueConstraint("tenant_id", "deposited_on", "amount", "trace", "bank_reference"),
    Index("ix_deposits_trace", "tenant_id", "trace"),
)

enrollments = Table(
    "enrollments",
    metadata,
    _id("id", primary_key=True),
    _id("tenant_id", nullable=False),
    _id("practice_id", nullable=False),
    Column("payer_id", String(80), nullable=False),
    Column("npi", String(10), nullable=False),
    Column("tax_id", String(9), nullable=False),
    Column("transaction", String(20), nullable=False),  # claims | remittance | claim_status | eligibility
    Column("status", String(20), nullable=False),  # not_started | submitted | pending | active | rejected
    Column("requested_effective", Date),
    Column("effective_from", Date),
    Column("clearinghouse", String(80)),
    Column("recorded_by", String(200), nullable=False),
    _created(),
    UniqueConstraint(
        "tenant_id", "practice_id", "payer_id", "npi", "tax_id", "transaction", name="uq_enrollments_record"
    ),
)

enrollment_tasks = Table(
    "enrollment_tasks",
    metadata,
    _id("id", primary_key=True),
    _id("tenant_id", nullable=False),
    _id("practice_id", nullable=False),
    _id("enrollment_id", ForeignKey("enrollments.id"), nullable=False, index=True),
    Column("title", String(200), nullable=False),
    Column("due_on", Date, nullable=False),
    Column("done_on", Date),
    _created(),
)

credentials = Table(
    "credentials",
    metadata,
    _id("id", primary_key=True),
    _id("tenant_id", nullable=False),
    _id("practice_id", nullable=False),
    Column("npi", String(10), nullable=False),
    Column("payer_id", String(80), nullable=False),
    Column("state", String(2), nullable=False),
    Column("status", String(20), nullable=False),  # pending | active | denied | terminated
    Column("effective_from", Date),
    Column("effective_to", Date),
    Column("recorded_by", String(200), nullable=False),
    _created(),
    UniqueConstraint("tenant_id", "practice_id", "npi", "payer_id", "state", name="uq_credentials_span"),
)

payer_checks = Table(
    "payer_checks",
    metadata,
    _id("tenant_id", primary_key=True),
    _id("practice_id", primary_key=True),
    Column("payer_id", String(80), primary_key=True),
    Column("enrollment", Boolean, nullable=False),
    Column("credentialing", Boolean, nullable=False),
    Column("recorded_by", String(200), nullable=False),
)

silent_payers = Table(
    "silent_payers",
    metadata,
    _id("tenant_id", primary_key=True),
    Column("payer_id", String(80), primary_key=True),
    _id("practice_id"),
    Column("claims_waiting", Integer, nullable=False),
    Column("oldest_accepted_on", Date, nullable=False),
    Column("last_payment_on", Date),
    Column("announced_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
