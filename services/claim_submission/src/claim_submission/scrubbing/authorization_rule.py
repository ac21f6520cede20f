"""Prior authorization's approvals applied to a claim, pure: a claim without an authorization number takes the
number of the patient's authorization with that payer that covers one of its codes on the date of service (and
was asked for its rendering provider, when it names one): 2300 REF*G1."""

from dataclasses import dataclass
from datetime import date

from claimstream_platform.contracts import Reason

from claim_submission.domain.content import ClaimContent

MISSING = "authorization.missing"  # the scrubber's: the payer's codes that always need one
REQUIRED = "authorization.required"  # prior authorization's: its rules (after N visits a year) want one
EXCEEDED = "authorization.exceeded"  # prior authorization's: the charge used more than the authorization had left


@dataclass(frozen=True)
class Known:
    number: str
    codes: frozenset[str]
    start: date
    end: date
    provider_npi: str

    def covers(self, content: ClaimContent) -> bool:
        return (
            self.start <= content.service_date <= self.end
            and any(line.code in self.codes for line in content.lines)
            and self.provider_npi in ("", content.rendering_provider.npi)
        )


def attached(content: ClaimContent, known: list[Known]) -> ClaimContent:
    """The content with the covering authorization's number, unless it carries one already."""
    if content.prior_authorization_number:
        return content
    number = next((k.number for k in sorted(known, key=lambda k: k.end) if k.covers(content)), None)
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
