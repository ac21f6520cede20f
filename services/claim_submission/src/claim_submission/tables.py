"""Claim submission's tables. Money is NUMERIC; every claim carries its tenant and practice."""

from claimstream_platform.db import NAMING_CONVENTION
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Computed,
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
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import UUID as PgUUID

metadata = MetaData(naming_convention=NAMING_CONVENTION)

# ISA13/GS06 of every interchange sent, and the number in every patient control number (CLM01): never repeated.
interchange_numbers = Sequence("interchange_numbers", metadata=metadata, start=1)
claim_numbers = Sequence("claim_numbers", metadata=metadata, start=1)

claims = Table(
    "claims",
    metadata,
    Column("id", PgUUID(as_uuid=True), primary_key=True),
    Column("tenant_id", PgUUID(as_uuid=True), nullable=False),
    Column("practice_id", PgUUID(as_uuid=True), nullable=False),
    Column("encounter_id", PgUUID(as_uuid=True), nullable=False),
    Column("encounter_version", BigInteger, nullable=False),
    Column("payer_id", String(80), nullable=False),
    # ready | held | submitting | submitted | acknowledged | received | accepted | rejected | voided | replaced
    Column("status", String(20), nullable=False),
    Column("frequency", String(1), nullable=False),
    Column(
        "patient_control_number",
        String(38),
        nullable=False,
        unique=True,
        server_default=text("'CS' || lpad(nextval('claim_numbers')::text, 10, '0')"),
    ),
    Column("payer_claim_number", String(50)),
    Column("replaces_claim_id", PgUUID(as_uuid=True)),
    Column("total_charge", Numeric(12, 2), nullable=False),
    Column("service_date", Date, nullable=False),
    Column("duplicate_key", String(300), nullable=False),
    Column("content", JSONB, nullable=False),  # content.ClaimContent (PHI: never logged)
    # The practice's id of the patient, from the content: a column, so that a walled read finds it by index (0023)
    Column("patient_ref", Text, Computed("(content -> 'patient' ->> 'external_id')", persisted=True)),
    Column("reasons", JSONB, nullable=False, server_default=text("'[]'::jsonb")),  # holds or rejections
    Column("acknowledged_rules", JSONB, nullable=False, server_default=text("'[]'::jsonb")),  # released on purpose
    Column("interchange_number", BigInteger, ForeignKey("submissions.interchange_number")),
    Column("transaction_control", String(9)),  # its ST02 in that interchange (its own 837P is read from it)
    Column("overdue_at", DateTime(timezone=True)),  # when ClaimAcknowledgmentOverdue was raised (no 277CA in time)
    Column("correction_note", String(80)),  # NTE*ADD of a frequency 7 or 8: why it was sent
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_claims_queue", "tenant_id", "practice_id", "status"),
    Index("ix_claims_ready", "created_at", postgresql_where=text("status = 'ready'")),
    Index("ix_claims_duplicate_key", "tenant_id", "duplicate_key"),
    Index("ix_claims_encounter", "tenant_id", "encounter_id"),
    Index("ix_claims_interchange", "interchange_number"),  # a 999's or 277CA's claims, by the interchange they came in
    Index("ix_claims_patient_visits", "tenant_id", "payer_id", "patient_ref", "service_date"),  # a patient's visits
    Index(
        "ix_claims_awaiting_ack",
        "updated_at",
        postgresql_where=text(
            "status IN ('submitting', 'submitted', 'acknowledged', 'received') AND overdue_at IS NULL"
        ),
    ),
)

claim_history = Table(
    "claim_history",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("claim_id", PgUUID(as_uuid=True), ForeignKey("claims.id"), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("status", String(20), nullable=False),
    Column("detail", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Column("actor", String(200), nullable=False, server_default=text("'system'")),
    Index("ix_claim_history_claim", "claim_id", "id"),
)

submissions = Table(
    "submissions",
    metadata,
    Column("interchange_number", BigInteger, primary_key=True),
    Column("tenant_id", PgUUID(as_uuid=True), nullable=False),
    Column("payer_id", String(80), nullable=False),
    # pending | acknowledged | received (999 lost) | refused | quarantined | requeued | cancelled
    Column("status", String(20), nullable=False),
    Column("content", Text, nullable=False),  # exactly what is sent, and sent again on retry
    Column("acknowledgment", Text),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("sent_at", DateTime(timezone=True)),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("not_before", DateTime(timezone=True)),  # a lease while being sent, or the wait after a failure
    Column("reason", String(300)),  # why it is quarantined or refused (no PHI: rule and position only)
    Index("ix_submissions_pending", "interchange_number", postgresql_where=text("status = 'pending'")),
)

# Every 999 and 277CA, stored before it is applied, so that a failure to apply never loses it; one that cannot be
# read or applied is quarantined with its reason and the documents behind it flow on.
inbound = Table(
    "inbound",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("kind", String(10), nullable=False),  # 999 | 277CA
    Column("tenant_id", PgUUID(as_uuid=True)),  # a 999's (its interchange's); None for a 277CA: operators' alone
    Column("source", String(100), nullable=False, unique=True),  # inbox:<id> or interchange:<n>:<i>: dedupe
    Column("content", Text, nullable=False),  # raw X12 (PHI: never logged, never listed)
    Column(
        "status", String(20), nullable=False, server_default="pending"
    ),  # pending | applied | quarantined | discarded
    Column("reason", String(300)),
    Column("received_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("applied_at", DateTime(timezone=True)),
    Index("ix_inbound_pending", "id", postgresql_where=text("status = 'pending'")),
    Index("ix_inbound_tenant", "tenant_id", "status"),
)

# The tenant's own billing company as the submitter of its claims (837P 1000A, and ISA06/GS02 of its
# interchanges): the id its clearinghouse assigned it and the EDI contact a payer calls about a file.
submitters = Table(
    "submitters",
    metadata,
    Column("tenant_id", PgUUID(as_uuid=True), primary_key=True),
    Column("submitter_id", String(15), nullable=False),
    Column("name", String(60), nullable=False),
    Column("contact_name", String(60), nullable=False),
    Column("phone", String(10), nullable=False),
    Column("email", String(80)),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("uq_submitters_submitter_id", "submitter_id", unique=True),  # one tenant's, across the installation
)

# Scrub rules learned from denial patterns and accepted by billing staff (denial management's ScrubRuleAccepted,
# mapped into our own model): each holds the claims it matches before they go out.
learned_rules = Table(
    "learned_rules",
    metadata,
    Column("rule_id", PgUUID(as_uuid=True), primary_key=True),
    Column("tenant_id", PgUUID(as_uuid=True), nullable=False),
    Column("payer_id", String(80), nullable=False),
    Column("code", String(5), nullable=False),
    Column("condition", String(30), nullable=False),
    Column("category", String(40), nullable=False),
    Column("message", String(300), nullable=False),
    Column("accepted_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_learned_rules_tenant", "tenant_id"),
)

# What eligibility's 271s said of a coverage on a date of service (from its events, mapped at the edge): a claim
# for coverage the payer called inactive is held before it is sent.
coverage_answers = Table(
    "coverage_answers",
    metadata,
    Column("tenant_id", PgUUID(as_uuid=True), primary_key=True),
    Column("practice_id", PgUUID(as_uuid=True), primary_key=True),
    Column("patient_ref", String(80), primary_key=True),  # the practice's patient id
    Column("payer_id", String(80), primary_key=True),
    Column("service_date", Date, primary_key=True),
    Column("active", Boolean, nullable=False),
    Column("answered_at", DateTime(timezone=True), nullable=False),
)

# Plans whose mental-health benefits another company administers (eligibility's CoverageCarvedOut, mapped at
# the edge): per patient and plan, the newest answer wins. A claim for such a plan is billed to the administrator.
carve_outs = Table(
    "carve_outs",
    metadata,
    Column("tenant_id", PgUUID(as_uuid=True), primary_key=True),
    Column("practice_id", PgUUID(as_uuid=True), primary_key=True),
    Column("patient_ref", String(80), primary_key=True),
    Column("payer_id", String(80), primary_key=True),  # the plan
    Column("administered_by", String(80), nullable=False),
    Column("administrator_name", String(60), nullable=False),
    Column("answered_at", DateTime(timezone=True), nullable=False),
)

# What prior authorization said about a visit before the visit's claim existed (AuthorizationExceeded is keyed by
# the authorization, the charge by the encounter: they come on different topics in either order). Kept per encounter
# version and payer as the hold reason it gives, and taken by the claim when it is created.
early_answers = Table(
    "early_answers",
    metadata,
    Column("tenant_id", PgUUID(as_uuid=True), primary_key=True),
    Column("encounter_id", PgUUID(as_uuid=True), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("payer_id", String(80), primary_key=True),
    Column("rule", String(40), primary_key=True),
    Column("reason", JSONB, nullable=False),  # the hold reason (rule, field, message)
    Column("received_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

# The billing office's word on whether a practice may bill a payer yet (its EnrollmentChanged, CredentialChanged
# and PayerChecksSet, mapped at the edge): the checks the practice turned on per payer, its claims (837)
# enrollments, and its clinicians' credentialing spans. A claim is held by them only where a check is on.
payer_checks = Table(
    "payer_checks",
    metadata,
    Column("tenant_id", PgUUID(as_uuid=True), primary_key=True),
    Column("practice_id", PgUUID(as_uuid=True), primary_key=True),
    Column("payer_id", String(80), primary_key=True),
    Column("enrollment", Boolean, nullable=False),
    Column("credentialing", Boolean, nullable=False),
)

claims_enrollments = Table(
    "claims_enrollments",
    metadata,
    Column("id", PgUUID(as_uuid=True), primary_key=True),  # the billing office's enrollment id
    Column("tenant_id", PgUUID(as_uuid=True), nullable=False),
    Column("practice_id", PgUUID(as_uuid=True), nullable=False),
    Column("payer_id", String(80), nullable=False),
    Column("npi", String(10), nullable=False),
    Column("tax_id", String(9), nullable=False),
    Column("status", String(20), nullable=False),
    Column("effective_from", Date),
    Index("ix_claims_enrollments_payer", "tenant_id", "practice_id", "payer_id"),
)

credential_spans = Table(
    "credential_spans",
    metadata,
    Column("id", PgUUID(as_uuid=True), primary_key=True),  # the billing office's credential id
    Column("tenant_id", PgUUID(as_uuid=True), nullable=False),
    Column("practice_id", PgUUID(as_uuid=True), nullable=False),
    Column("payer_id", String(80), nullable=False),
    Column("npi", String(10), nullable=False),
    Column("state", String(2), nullable=False),
    Column("status", String(20), nullable=False),
    Column("effective_from", Date),
    Column("effective_to", Date),
    Index("ix_credential_spans_payer", "tenant_id", "practice_id", "payer_id"),
)

# Claim status inquiries (276/277): each asked with its text, and the payer's answer once it came. A claim is asked
# about when the payer accepted it and no remittance reached us in the payer's usual time (`remitted_claims`, from
# remittance posting's PaymentPosted), or when a biller asks (`requested_at`).
status_inquiries = Table(
    "status_inquiries",
    metadata,
    Column("id", PgUUID(as_uuid=True), primary_key=True),
    Column("tenant_id", PgUUID(as_uuid=True), nullable=False),
    Column("practice_id", PgUUID(as_uuid=True), nullable=False),
    Column("claim_id", PgUUID(as_uuid=True), ForeignKey("claims.id"), nullable=False, index=True),
    Column("trace", String(50), nullable=False, unique=True),  # TRN02 of the 276, echoed in the 277
    Column("inquiry", Text),  # the 276 as sent (PHI: never logged)
    Column("requested_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("asked_at", DateTime(timezone=True)),
    Column("answered_at", DateTime(timezone=True)),
    Column("category", String(3)),
    Column("code", String(5)),
    Column("finding", String(20)),
    Column("effective", Date),
    Column("paid", Numeric(12, 2)),
    Column("paid_on", Date),
    Column("check_number", String(50)),
)

remitted_claims = Table(
    "remitted_claims",
    metadata,
    Column("claim_id", PgUUID(as_uuid=True), primary_key=True),
    Column("tenant_id", PgUUID(as_uuid=True), nullable=False),
    Column("remitted_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

# From when accepted claims are watched for their remittance (migration 0021): one row, no tenant's.
status_watch = Table("status_watch", metadata, Column("since", DateTime(timezone=True), nullable=False))
