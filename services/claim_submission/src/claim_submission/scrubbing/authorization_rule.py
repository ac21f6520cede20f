"""Prior authorization's approvals applied to a claim, pure: a claim without an authorization number takes the
number of the patient's authorization with that payer that covers one of its codes on the date of service (and
was asked for its rendering provider, when it names one): 2300 REF*G1. The approvals are the platform's read
model (`claimstream_platform.approvals`), kept in this service's schema."""

from uuid import UUID

from claimstream_platform.approvals import Approval
from claimstream_platform.contracts import Reason

from claim_submission.domain.content import ClaimContent

MISSING = "authorization.missing"  # the scrubber's: the payer's codes that always need one
REQUIRED = "authorization.required"  # prior authorization's: its rules (after N visits a year) want one
EXCEEDED = "authorization.exceeded"  # prior authorization's: the charge used more than the authorization had left

VisitKey = tuple[UUID, UUID, int, str]  # tenant, encounter, its version, the payer: what an answer about a visit names


def covers(approval: Approval, content: ClaimContent) -> bool:
    """On the date of service, for one of the claim's codes, and asked for its rendering provider when it names
    one."""
    codes = {line.code for line in content.lines}
    asked_for = approval.provider_npi in ("", content.rendering_provider.npi)
    return approval.covers(codes, content.service_date) and asked_for


def attached(content: ClaimContent, approvals: list[Approval]) -> ClaimContent:
    """The content with the covering authorization's number (the soonest ending), unless it carries one already."""
    if content.prior_authorization_number:
        return content
    number = next((a.number for a in sorted(approvals, key=lambda a: a.end) if covers(a, content)), None)
    return content if number is None else content.model_copy(update={"prior_authorization_number": number})


def required_reason(codes: list[str], visits: int) -> Reason:
    return Reason(
        rule=REQUIRED,
        field="prior_authorization_number",
        message=f"prior authorization's rules want an authorization for {', '.join(codes)} "
        f"(after {visits} visits this year) and none on file covers it",
    )


def exceeded_reason(number: str, codes: list[str], over: int, unit: str) -> Reason:
    message = (
        f"authorization {number} had too few {unit} left for {', '.join(codes)} ({over} over): the payer would deny "
        "them (CO-198); ask it for more before sending, or release the claim once you have"
    )
    return Reason(rule=EXCEEDED, field="prior_authorization_number", message=message)
