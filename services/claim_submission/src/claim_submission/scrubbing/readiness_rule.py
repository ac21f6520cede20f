"""Whether a practice may bill a payer yet, pure: where the practice turned the checks on for the payer (the
billing office's), a claim waits for an active claims (837) enrollment of its billing provider's NPI and TIN in
effect on its date of service, and
for a credentialing span of its rendering clinician with the payer, in the state of the visit, effective on the
date of service. A span that starts later says when the claim can go. Without the checks, nothing is held.

The visit's state: for telehealth (place 02 or 10) the patient's, where the clinician's licence must reach;
otherwise the service facility's, else the billing provider's."""

from dataclasses import dataclass, field
from datetime import date

from claimstream_platform.contracts import Reason

from claim_submission.domain.content import ClaimContent

ENROLLMENT = "enrollment.claims-not-active"
CREDENTIALING = "credentialing.not-effective"
RULES = frozenset({ENROLLMENT, CREDENTIALING})
TELEHEALTH_PLACES = frozenset({"02", "10"})


@dataclass(frozen=True)
class Span:
    npi: str
    state: str
    status: str
    effective_from: date | None
    effective_to: date | None

    def covers(self, npi: str, state: str, day: date) -> bool:
        started = self.effective_from is not None and self.effective_from <= day
        return (self.npi, self.state, self.status) == (npi, state, "active") and started and not self.ended(day)

    def ended(self, day: date) -> bool:
        return self.effective_to is not None and self.effective_to < day


@dataclass(frozen=True)
class Readiness:
    """A practice's word on one payer: its checks, its claims enrollments (NPI, TIN, status) and the spans."""

    enrollment_check: bool = False
    credentialing_check: bool = False
    enrollments: tuple[tuple[str, str, str, date | None], ...] = ()  # NPI, TIN, status, the payer's effective date
    spans: tuple[Span, ...] = field(default_factory=tuple)


def visit_state(content: ClaimContent) -> str:
    if content.place_of_service in TELEHEALTH_PLACES:
        return content.patient.address.state
    where = content.service_facility.address if content.service_facility else content.billing_provider.address
    return where.state


def readiness_reasons(content: ClaimContent, readiness: Readiness) -> list[Reason]:
    found = []
    billing = content.billing_provider
    if readiness.enrollment_check and not _enrolled(readiness, billing.npi, billing.tax_id, content.service_date):
        message = f"the practice is not enrolled with {content.payer.payer_id} for claims under this NPI and TIN yet"
        found.append(Reason(rule=ENROLLMENT, field="billing_provider", message=message))
    if readiness.credentialing_check:
        reason = _credentialing(content, readiness.spans)
        found += [reason] if reason else []
    return found


def _enrolled(readiness: Readiness, npi: str, tax_id: str, day: date) -> bool:
    """An active claims enrollment of the NPI and TIN, in effect on the date of service."""
    return any(
        (n, t, status) == (npi, tax_id, "active") and (since is None or since <= day)
        for n, t, status, since in readiness.enrollments
    )


def _credentialing(content: ClaimContent, spans: tuple[Span, ...]) -> Reason | None:
    npi, state, day = content.rendering_provider.npi, visit_state(content), content.service_date
    if any(span.covers(npi, state, day) for span in spans):
        return None
    later = [
        s.effective_from
        for s in spans
        if s.npi == npi and s.state == state and s.effective_from and s.effective_from > day
    ]
    when = f"; effective from {min(later)}" if later else ""
    payer = content.payer.payer_id
    message = f"the rendering clinician is not credentialed with {payer} in {state} on the date of service{when}"
    return Reason(rule=CREDENTIALING, field="rendering_provider", message=message)
