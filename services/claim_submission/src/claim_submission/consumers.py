"""The events claim submission consumes, the handler of each, and the advisory locks each takes (named ahead, so
that the consumer takes a whole batch's at once, in one order)."""

from collections.abc import Iterable, Mapping

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
from claimstream_platform.locks import LockName
from claimstream_platform.messaging.consumer import Batched, Handler, Locks, batched

from claim_submission.domain.content import content_of, duplicate_key
from claim_submission.inbound import payments
from claim_submission.intake import corrections, encounters
from claim_submission.repository.claims import duplicate_lock_names, plan_lock_names
from claim_submission.repository.readiness import readiness_lock_names
from claim_submission.scrubbing import (
    accepted_rules,
    authorization_answers,
    eligibility_answers,
    practice_facts,
    readiness_answers,
)
from claim_submission.scrubbing.coverage_rule import PlanKey, plan_key

# ChargeCaptured is the hot one: its batch handler writes a run of new claims with a few statements.
SUBSCRIPTIONS: Mapping[type[IntegrationEvent], Handler | Batched] = {
    ChargeCaptured: batched(encounters.on_charges_captured),
    ChargeVoided: corrections.on_charge_voided,
    PayerFactsOverridden: practice_facts.on_payer_facts_overridden,
    CorrectionRequested: batched(corrections.on_corrections_requested),
    ScrubRuleAccepted: accepted_rules.on_scrub_rule_accepted,
    PaymentPosted: batched(payments.on_payments_posted),
    CoverageInactive: eligibility_answers.on_coverage_inactive,
    EligibilityVerified: batched(eligibility_answers.on_eligibilities_verified),
    CoverageCarvedOut: eligibility_answers.on_coverage_carved_out,
    AuthorizationApproved: authorization_answers.on_authorization_approved,
    AuthorizationRequired: authorization_answers.on_authorization_required,
    AuthorizationExceeded: authorization_answers.on_authorization_exceeded,
    PayerChecksSet: readiness_answers.on_payer_checks_set,
    EnrollmentChanged: readiness_answers.on_enrollment_changed,
    CredentialChanged: readiness_answers.on_credential_changed,
}


def _claim_creation(event: ChargeCaptured) -> set[LockName]:
    """A new claim's (intake/creation.py): its practice's word on the payer, the patient's plan, its duplicate key."""
    if event.practice_id is None:
        return set()
    tenant, practice, content = event.tenant_id, event.practice_id, content_of(event).content
    payer = readiness_lock_names([(tenant, practice, content.payer.payer_id[:80])], shared=True)
    return (
        payer | _plans([plan_key(tenant, practice, content)]) | duplicate_lock_names([(tenant, duplicate_key(content))])
    )


def _plans(keys: Iterable[PlanKey | None]) -> set[LockName]:
    names: set[LockName] = set(plan_lock_names(key for key in keys if key is not None))
    return names


def _readiness(event: PayerChecksSet | EnrollmentChanged | CredentialChanged) -> set[LockName]:
    practice = event.practice_id
    return readiness_lock_names([(event.tenant_id, practice, event.payer_id[:80])] if practice else [])


def _eligibility(event: CoverageInactive | EligibilityVerified) -> set[LockName]:
    key = eligibility_answers.key_of(event)
    return _plans([key[:4] if key else None])


def _carve_out(event: CoverageCarvedOut) -> set[LockName]:
    """The plan, and the practice's word on the administrator its claims are billed to anew."""
    practice = event.practice_id
    if practice is None:
        return set()
    plan = (event.tenant_id, practice, event.patient_ref, event.payer_id)
    return _plans([plan]) | readiness_lock_names([(event.tenant_id, practice, event.administered_by[:80])], shared=True)


def _authorization(event: AuthorizationApproved | AuthorizationRequired | AuthorizationExceeded) -> set[LockName]:
    """The plan, and the practice's word on the payer: a covered claim is billed anew (intake/creation.py)."""
    plan = authorization_answers.plan_of(event)
    payer = [(plan[0], plan[1], plan[3][:80])] if plan else []
    return _plans([plan]) | readiness_lock_names(payer, shared=True)


# The hot paths' locks: a claim's creation, and the answers about a patient's plan or a practice's payer. A handler
# that creates claims takes the practice's word on the payer after its plan: named ahead, it is taken first.
LOCKS: Locks = {
    ChargeCaptured: _claim_creation,
    CoverageInactive: _eligibility,
    EligibilityVerified: _eligibility,
    CoverageCarvedOut: _carve_out,
    AuthorizationApproved: _authorization,
    AuthorizationRequired: _authorization,
    AuthorizationExceeded: _authorization,
    PayerChecksSet: _readiness,
    EnrollmentChanged: _readiness,
    CredentialChanged: _readiness,
}
