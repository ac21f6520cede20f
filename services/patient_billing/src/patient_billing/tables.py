"""Patient billing's tables. Money is NUMERIC. The patient is the practice's patient id; her name, postal address
and email (`contacts`) are what a statement is sent with, and nothing else of hers is kept: no birth date, member
id or diagnosis, and no card numbers (cards are a processor's tokens)."""

from claimstream_platform.db import NAMING_CONVENTION
from sqlalchemy import (
    Boolean,
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
from sqlalchemy.dialects.postgresql import JSONB
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
    Column("awaiting_decision_since", Date),  # the last dunning notice went unpaid: the practice decides
    Column("last_statement_on", Date),  # one statement per cycle at most, however many runs
    Column("credit_since", Date),  # she has held a credit since: unclaimed-property ages count from it
    Column("movements", Integer, nullable=False, server_default="0"),  # money events so far (Standing.sequence)
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
    _money("charged"),
    _money("insurance_paid"),
    _money("insurance_adjusted"),
    Column("reasons", JSONB, nullable=False, server_default="[]"),  # [group, CARC, amount] as the payers posted
    Column("first_statement_on", Date),
    Column("hers_since", Date),  # the insurance first left her something: her part of A/R ages from it until stated
)

contacts = Table(
    "contacts",
    metadata,
    Column("account_id", PgUUID(as_uuid=True), ForeignKey("accounts.id"), primary_key=True),
    Column("tenant_id", PgUUID(as_uuid=True), nullable=False),
    Column("name", String(200)),
    Column("address", JSONB),
    Column("email", String(254)),
    Column("statements_by", String(10), nullable=False, server_default="print"),  # email | print
    Column("on_hold", Boolean, nullable=False, server_default="false"),
    Column("hold_reason", String(500)),
)

statement_settings = Table(
    "statement_settings",
    metadata,
    Column("practice_id", PgUUID(as_uuid=True), primary_key=True),
    Column("tenant_id", PgUUID(as_uuid=True), nullable=False),
    Column("cycle_day", Integer, nullable=False),
    _money("minimum_balance"),
    Column("due_days", Integer, nullable=False),
    Column("set_by", String(200), nullable=False),
)

statements = Table(
    "statements",
    metadata,
    Column("id", PgUUID(as_uuid=True), primary_key=True),
    Column("tenant_id", PgUUID(as_uuid=True), nullable=False),
    Column("practice_id", PgUUID(as_uuid=True), nullable=False),
    Column("account_id", PgUUID(as_uuid=True), ForeignKey("accounts.id"), nullable=False, index=True),
    Column("issued_on", Date, nullable=False),
    Column("due_on", Date, nullable=False),
    Column("amount_due", Numeric(12, 2), nullable=False),
    Column("stage", String(20), nullable=False),
    Column("delivery", String(10), nullable=False),  # email | print
    Column("document", JSONB, nullable=False),  # what it says, line by line: the PDF is rendered from it
    Column("sent_at", DateTime(timezone=True)),  # emailed (an email statement waits for the mail loop until then)
    Column("send_attempts", Integer, nullable=False, server_default="0"),  # the mail server's refusals so far
    _created(),
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
    Column("processor_ref", String(80), unique=True),  # the processor's payment intent: a webhook posts once
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

statement_runs = Table(  # the loop's statement run of a practice on its cycle day, once (a biller runs at will)
    "statement_runs",
    metadata,
    Column("practice_id", PgUUID(as_uuid=True), primary_key=True),
    Column("run_on", Date, primary_key=True),
    Column("tenant_id", PgUUID(as_uuid=True), nullable=False),
)

online_payments = Table(
    "online_payments",
    metadata,
    Column("id", PgUUID(as_uuid=True), primary_key=True),
    Column("tenant_id", PgUUID(as_uuid=True), nullable=False),
    Column("account_id", PgUUID(as_uuid=True), ForeignKey("accounts.id"), nullable=False, index=True),
    Column("statement_id", PgUUID(as_uuid=True)),  # paid through a statement's link
    Column("plan_id", PgUUID(as_uuid=True)),  # or charged by a plan's autopay
    Column("amount", Numeric(12, 2), nullable=False),
    Column("intent_id", String(80), unique=True),
    Column("status", String(20), nullable=False),  # requested | succeeded | failed
    _created(),
)

refunds = Table(
    "refunds",
    metadata,
    Column("id", PgUUID(as_uuid=True), primary_key=True),
    Column("tenant_id", PgUUID(as_uuid=True), nullable=False),
    Column("account_id", PgUUID(as_uuid=True), ForeignKey("accounts.id"), nullable=False, index=True),
    Column("amount", Numeric(12, 2), nullable=False),
    Column("method", String(10), nullable=False),  # card | check
    Column("payment_id", PgUUID(as_uuid=True)),  # the card payment it goes back to
    Column("check_number", String(30)),
    Column("status", String(20), nullable=False),  # requested | sent | refunded | failed
    Column("processor_ref", String(80), unique=True),
    Column("requested_by", String(200), nullable=False),
    _created(),
)

payment_plans = Table(
    "payment_plans",
    metadata,
    Column("id", PgUUID(as_uuid=True), primary_key=True),
    Column("tenant_id", PgUUID(as_uuid=True), nullable=False),
    Column("account_id", PgUUID(as_uuid=True), ForeignKey("accounts.id"), nullable=False, index=True),
    Column("total", Numeric(12, 2), nullable=False),
    Column("per_month", Numeric(12, 2), nullable=False),
    Column("first_due", Date, nullable=False),
    Column("autopay_method", String(80)),  # the processor's card token, never a card number
    Column("paid", Numeric(12, 2), nullable=False, server_default="0"),
    Column("reminded_through", Integer, nullable=False, server_default="0"),  # no autopay: installments reminded
    Column("charged_through", Integer, nullable=False, server_default="0"),  # autopay: installments asked for
    Column("status", String(12), nullable=False),  # active | completed | defaulted | cancelled (one active a time)
    Column("created_by", String(200), nullable=False),
    _created(),
)

# An installment of a plan without autopay, emailed to the patient a few days before it is due (plans.to_remind).
plan_reminders = Table(
    "plan_reminders",
    metadata,
    Column("plan_id", PgUUID(as_uuid=True), ForeignKey("payment_plans.id"), primary_key=True),
    Column("number", Integer, primary_key=True),
    Column("tenant_id", PgUUID(as_uuid=True), nullable=False),
    Column("email", String(254), nullable=False),
    Column("due_on", Date, nullable=False),
    Column("amount", Numeric(12, 2), nullable=False),
    Column("sent_at", DateTime(timezone=True)),
    _created(),
)
