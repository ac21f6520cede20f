"""Payer enrollment and credentialing, pure: what a record must say to be kept, and what an active one means.

An enrollment is a provider's or group's (NPI and TIN) with one payer for one kind of transaction; claims to the
payer go once its claims enrollment is active. A credential is a clinician's (NPI) with one payer in one state,
effective over a span of dates; a claim for a visit outside every active span is denied by the payer, so a
practice that turns the check on has it held before it leaves (claim submission holds it; docs/billing-office.md).
"""

from dataclasses import dataclass
from datetime import date

from claimstream_platform.errors import RuleViolation


@dataclass(frozen=True)
class EnrollmentTerms:
    status: str
    requested_effective: date | None
    effective_from: date | None


def check_enrollment(terms: EnrollmentTerms) -> None:
    if terms.status == "active" and terms.effective_from is None:
        raise RuleViolation("an active enrollment has the payer's effective date", field="effective_from")


def check_span(status: str, effective_from: date | None, effective_to: date | None) -> None:
    if status == "active" and effective_from is None:
        raise RuleViolation("an active credential has the date it is effective from", field="effective_from")
    if effective_from and effective_to and effective_to < effective_from:
        raise RuleViolation("a span ends on or after it starts", field="effective_to")


def overdue(due_on: date, done_on: date | None, today: date) -> bool:
    return done_on is None and due_on < today
