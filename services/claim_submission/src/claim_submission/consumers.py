"""The events claim submission consumes, and the handler of each."""

from collections.abc import Mapping

from claimstream_platform.contracts import IntegrationEvent
from claimstream_platform.contracts.billing_office import CredentialChanged, EnrollmentChanged, PayerChecksSet
from claimstream_platform.contracts.charge_capture import ChargeCaptured, ChargeVoided, PayerFactsOverridden
from claimstream_platform.contracts.denial_management import CorrectionRequested, ScrubRuleAccepted
from claimstream_platform.contracts.eligibility import CoverageCarvedOut, CoverageInactive, EligibilityVerified
from claimstream_platform.contracts.prior_authorization import (
    AuthorizationApproved,
    AuthorizationExceeded,
    AuthorizationRequired,
)
from claimstream_platform.contracts.remittance_posting import PaymentPosted
from claimstream_platform.messaging.consumer import Batched, Handler, batched

from claim_submission.inbound import payments
from claim_submission.intake import corrections, encounters
from claim_submission.scrubbing import (
    accepted_rules,
    authorization_answers,
    eligibility_answers,
    practice_facts,
    readiness_answers,
)

# ChargeCaptured is the hot one: its batch handler writes a run of new claims with a few statements.
SUBSCRIPTIONS: Mapping[type[IntegrationEvent], Handler | Batched] = {
    ChargeCaptured: batched(encounters.on_charges_captured),
    ChargeVoided: corrections.on_charge_voided,
    PayerFactsOverridden: practice_facts.on_payer_facts_overridden,
    CorrectionRequested: corrections.on_correction_requested,
    ScrubRuleAccepted: accepted_rules.on_scrub_rule_accepted,
    PaymentPosted: payments.on_payment_posted,
    CoverageInactive: eligibility_answers.on_coverage_inactive,
    EligibilityVerified: eligibility_answers.on_eligibility_verified,
    CoverageCarvedOut: eligibility_answers.on_coverage_carved_out,
    AuthorizationApproved: authorization_answers.on_authorization_approved,
    AuthorizationRequired: authorization_answers.on_authorization_required,
    AuthorizationExceeded: authorization_answers.on_authorization_exceeded,
    PayerChecksSet: readiness_answers.on_payer_checks_set,
    EnrollmentChanged: readiness_answers.on_enrollment_changed,
    CredentialChanged: readiness_answers.on_credential_changed,
}
