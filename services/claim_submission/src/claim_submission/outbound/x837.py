"""The 837P (005010X222A1) interchange: claims in, one interchange out. Pure.

Each claim's loops are written once (`write_claim`, the loops themselves in `x837_claim.py`) and the interchange
is assembled from them once: one transaction set per billing provider (`transaction_sets`, the one home of ST02
numbering), one HL 20 per billing provider, one HL 22 per claim (HL 23 when the patient is not the subscriber).
CLM02 is the sum of SV102 by construction.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from claimstream_platform.x12 import FunctionalGroup, Interchange, Segment, Transaction, write_interchange

from claim_submission.domain.content import BillingProvider
from claim_submission.outbound.x837_claim import ClaimToSend, address, claim_loops

__all__ = [
    "ClaimToSend",
    "Party",
    "Submitter",
    "WrittenClaim",
    "assemble",
    "build_837",
    "renumbered",
    "transaction_controls",
    "transaction_sets",
    "write_claim",
]

IMPLEMENTATION = "005010X222A1"
FIRST_CLAIM_HL = 2  # the billing provider is HL 1


@dataclass(frozen=True)
class Party:
    """The receiver (1000B)."""

    id: str
    name: str


@dataclass(frozen=True)
class Submitter:
    """The billing company that sends the claims (1000A, ISA06): its clearinghouse id and its EDI contact."""

    id: str
    name: str
    contact: str
    phone: str  # ten digits
    email: str | None = None


@dataclass(frozen=True)
class WrittenClaim:
    """A claim's own loops (2000B, 2000C when the patient is not the member, 2300 and its lines), written once and
    numbered as if it stood alone (its subscriber HL 2): an interchange renumbers them where it places them."""

    claim: ClaimToSend
    segments: list[Segment]


T = TypeVar("T", ClaimToSend, WrittenClaim)


def write_claim(claim: ClaimToSend) -> WrittenClaim:
    """Raises when the claim cannot be written (a correction without the payer's claim number)."""
    return WrittenClaim(claim, claim_loops(claim, FIRST_CLAIM_HL))


def transaction_sets(claims: Sequence[T]) -> list[list[T]]:
    """One transaction set per billing provider, in the order of each provider's first claim: ST02 0001, 0002..."""
    by_provider: dict[str, list[T]] = {}
    for claim in claims:
        by_provider.setdefault(_billing_npi(claim), []).append(claim)
    return list(by_provider.values())


def transaction_controls(claims: Sequence[T]) -> dict[str, str]:
    """The ST02 of each billing provider's transaction set."""
    return {_billing_npi(batch[0]): f"{n:04d}" for n, batch in enumerate(transaction_sets(claims), start=1)}


def build_837(
    claims: Sequence[ClaimToSend],
    *,
    submitter: Submitter,
    receiver: Party,
    control_number: str,
    now: datetime,
    usage: str = "P",
) -> str:
    """One interchange, one functional group, one transaction set per billing provider."""
    written = [write_claim(claim) for claim in claims]
    return assemble(
        written, submitter=submitter, receiver=receiver, control_number=control_number, now=now, usage=usage
    )


def assemble(
    written: Sequence[WrittenClaim],
    *,
    submitter: Submitter,
    receiver: Party,
    control_number: str,
    now: datetime,
    usage: str = "P",
) -> str:
    """The interchange of claims already written: the one place its text is made."""
    transactions = [
        Transaction("837", f"{n:04d}", IMPLEMENTATION, _transaction(batch, submitter, receiver, control_number, now))
        for n, batch in enumerate(transaction_sets(written), start=1)
    ]
    group = FunctionalGroup(
        "HC",
        submitter.id,
        receiver.id,
        control_number,
        IMPLEMENTATION,
        transactions,
        date=now.strftime("%Y%m%d"),
        time=now.strftime("%H%M"),
    )
    interchange = Interchange("ZZ", submitter.id, "ZZ", receiver.id, control_number, [group], usage=usage)
    return write_interchange(interchange, now=now)


def renumbered(segments: Sequence[Segment], first_hl: int) -> list[Segment]:
    """A claim's loops (its subscriber HL first) numbered from `first_hl`; the billing provider, HL 1, stays their
    parent."""
    shift = first_hl - int(segments[0].get(1))
    return [
        segment._replace(
            elements=(str(int(segment.get(1)) + shift), _parent(segment.get(2), shift), *segment.elements[2:])
        )
        if segment.tag == "HL"
        else segment
        for segment in segments
    ]


def _parent(parent: str, shift: int) -> str:
    return parent if parent == "1" else str(int(parent) + shift)


def _billing_npi(claim: ClaimToSend | WrittenClaim) -> str:
    content = claim.content if isinstance(claim, ClaimToSend) else claim.claim.content
    return content.billing_provider.npi


def _transaction(
    claims: Sequence[WrittenClaim], submitter: Submitter, receiver: Party, control_number: str, now: datetime
) -> list[Segment]:
    billing = claims[0].claim.content.billing_provider
    segments = [
        Segment.of("BHT", "0019", "00", control_number, now.strftime("%Y%m%d"), now.strftime("%H%M"), "CH"),
        Segment.of("NM1", "41", "2", submitter.name, "", "", "", "", "46", submitter.id),
        Segment.of(
            "PER", "IC", submitter.contact, "TE", submitter.phone, *(("EM", submitter.email) if submitter.email else ())
        ),
        Segment.of("NM1", "40", "2", receiver.name, "", "", "", "", "46", receiver.id),
        Segment.of("HL", 1, "", "20", 1),
        Segment.of("PRV", "BI", "PXC", billing.taxonomy),
        _billing_provider_name(billing),
        *address(billing.address),
        Segment.of("REF", "EI", billing.tax_id),
    ]
    hl = 1
    for written in claims:
        segments += renumbered(written.segments, hl + 1)
        hl += sum(1 for segment in written.segments if segment.tag == "HL")
    return segments


def _billing_provider_name(billing: BillingProvider) -> Segment:
    """2010AA: an organization (NM102 2) or a solo clinician billing under a type-1 NPI, as a person (NM102 1)."""
    if billing.entity == "individual":
        return Segment.of("NM1", "85", "1", billing.last_name, billing.first_name, "", "", "", "XX", billing.npi)
    return Segment.of("NM1", "85", "2", billing.name, "", "", "", "", "XX", billing.npi)
