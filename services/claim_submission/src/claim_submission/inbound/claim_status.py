"""Claim status inquiry (276) and its answer (277), 005010X212, pure: the 276 of one claim the payer accepted and
has not paid us for, what its 277 says of it, and what that means (docs/claim-submission.md, "Claim status").

The answer's category (list 507) decides: F1 finalized and paid while no remittance reached us is a missing ERA;
F2 denied is a denial; A4 is a claim the payer cannot find, back to the work queue; anything else (pending,
acknowledged, more information wanted; F4, finalized with nothing forthcoming, often all the patient's) is
recorded, and asked about again later unless finalized.
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from claimstream_platform.contracts.claim_submission import StatusFinding
from claimstream_platform.x12 import FunctionalGroup, Interchange, write_interchange
from claimstream_platform.x12.eligibility_model import Party
from claimstream_platform.x12.envelope import X12Error, parse_interchange
from claimstream_platform.x12.status import IMPLEMENTATION, read_status, transaction_276
from claimstream_platform.x12.status_model import ClaimStatus

from claim_submission.domain.content import ClaimContent

# F4 (finalized, no payment forthcoming) is often all the patient's (a deductible): no denial, recorded.
FINDINGS: dict[str, StatusFinding] = {"F1": "paid_without_era", "F2": "denied", "A4": "not_found"}
# Our own short words for the categories (list 507), for the claim's timeline.
CATEGORY_WORDS = {
    "A": "acknowledged by the payer",
    "P": "pending at the payer",
    "F": "finalized by the payer",
    "R": "the payer asks for more information",
    "E": "the payer could not answer the inquiry",
    "D": "the payer found it a duplicate",
}


@dataclass(frozen=True)
class Asked:
    """Who asks (ISA06, the 2100B receiver) and whom (ISA08)."""

    submitter_id: str
    submitter_name: str
    receiver_id: str
    usage: str = "P"


@dataclass(frozen=True)
class StatusAnswer:
    category: str
    code: str
    effective: date | None
    paid: Decimal | None
    paid_on: date | None
    check_number: str | None
    finding: StatusFinding

    @property
    def words(self) -> str:
        return CATEGORY_WORDS.get(self.category[:1], "answered")


def inquiry_276(content: ClaimContent, pcn: str, trace: str, asked: Asked, control: int, now: datetime) -> str:
    """One claim's 276, in its own interchange (control: its ISA13 and GS06)."""
    billing, subscriber = content.billing_provider, content.patient
    question = ClaimStatus(
        payer=Party("PR", "2", content.payer.name[:60], id_qualifier="PI", identifier=content.payer.payer_id),
        receiver=Party("41", "2", asked.submitter_name[:60], id_qualifier="46", identifier=asked.submitter_id),
        trace=trace,
        provider=Party("1P", "2", billing.name[:60], id_qualifier="XX", identifier=billing.npi),
        subscriber=Party("IL", "1", subscriber.last_name, subscriber.first_name, "MI", content.coverage.member_id),
        patient_control_number=pcn,
        charge=content.total,
        service_from=content.service_date,
        service_to=content.service_date,
    )
    number = f"{control:09d}"
    transaction = transaction_276([question], "0001", created=now)
    group = FunctionalGroup("HR", asked.submitter_id, asked.receiver_id, str(control), IMPLEMENTATION, [transaction])
    return write_interchange(
        Interchange("ZZ", asked.submitter_id, "ZZ", asked.receiver_id, number, [group], usage=asked.usage), now=now
    )


def answer_of(documents: list[str], trace: str) -> StatusAnswer | None:
    """The 277's first status of the claim asked about (by its trace); None when no 277 answers it."""
    for document in documents:
        try:
            interchange = parse_interchange(document)
        except X12Error:
            continue
        for transaction in (t for g in interchange.groups for t in g.transactions if t.set_id == "277"):
            for claim in read_status(transaction, interchange.delimiters):
                if claim.trace == trace and claim.statuses:
                    return _answer(claim)
    return None


def _answer(claim: ClaimStatus) -> StatusAnswer:
    first = claim.statuses[0]
    return StatusAnswer(
        category=first.category,
        code=first.code,
        effective=first.effective,
        paid=first.paid,
        paid_on=first.paid_on,
        check_number=first.check_number or None,
        finding=FINDINGS.get(first.category, "pending"),
    )
