"""Receiving an interchange: envelope and structure (999 at once), front-end edits (277CA to the inbox), and the
accepted claims stored for the next adjudication cycle. All in the caller's transaction."""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from claimstream_platform.dates import business_date
from claimstream_platform.errors import Conflict
from claimstream_platform.x12 import FunctionalGroup, Interchange, Transaction, X12Error
from claimstream_platform.x12.p837 import IMPLEMENTATION, Claim, SegmentError, read_837
from claimstream_platform.x12.review import read_278_request, transaction_278_response
from claimstream_platform.x12.review_model import ReviewRequest

from clearinghouse_simulator import claim_status
from clearinghouse_simulator.acks import (
    CLEARINGHOUSE,
    ClaimAck,
    GroupResult,
    InformationSource,
    TransactionResult,
    build_277ca,
    build_999,
)
from clearinghouse_simulator.cycle import duplicate_key
from clearinghouse_simulator.frontend import ACCEPTED, clearinghouse_status, payer_status
from clearinghouse_simulator.inquiries import read_inquiries
from clearinghouse_simulator.inquiry_answers import answer_270
from clearinghouse_simulator.outbound import Envelope, review_interchange
from clearinghouse_simulator.payers import PayerBook
from clearinghouse_simulator.repository import SimulatorWork
from clearinghouse_simulator.results import adjudication_from_json
from clearinghouse_simulator.reviews import decide
from clearinghouse_simulator.settle import member_state


@dataclass
class Receipt:
    submission_id: UUID
    acknowledgments: list[str]  # one 999 per functional group
    claims_accepted: int
    claims_rejected: int
    responses: list[str]  # 271s and 278 responses, answered at once (also left in the inbox)


class AlreadyReceived(Conflict):
    """The sender's ISA13 is taken; `content_sha256` is the hash of what was received under it, so the sender
    can tell a retry of its own interchange from a control-number collision."""

    def __init__(self, control_number: str, content_sha256: str | None) -> None:
        super().__init__(
            f"interchange control number {control_number} was already received from this sender", field="ISA13"
        )
        self.content_sha256 = content_sha256


async def receive(
    uow: SimulatorWork, submitter: UUID, interchange: Interchange, book: PayerBook, *, content_sha256: str
) -> Receipt:
    submission_id = uuid4()
    key = {
        "submitter": submitter,
        "sender_id": interchange.sender_id,
        "interchange_control": interchange.control_number,
    }
    if not await uow.received.record_submission(submission_id, key, content_sha256):
        raise AlreadyReceived(interchange.control_number, await uow.received.earlier_hash(key))
    now = datetime.now(UTC)
    acknowledgments: list[str] = []
    reading = _Reading(uow, submitter, interchange, book, now)
    for group in interchange.groups:
        results = [await reading.transaction(group, transaction) for transaction in group.transactions]
        control = await uow.received.next_control()
        envelope = Envelope(interchange.sender_qualifier, interchange.sender_id, control, control, now)
        group_result = GroupResult(
            group.functional_id, group.control_number, group.version, results, group.trailer_errors
        )
        acknowledgments.append(build_999(group_result, envelope))
    accepted, rejected = await _front_end(
        uow, submitter, submission_id, interchange, reading.accepted_claims, book, now
    )
    return Receipt(submission_id, acknowledgments, accepted, rejected, reading.responses)


ANSWERED_AT_ONCE = frozenset({("HS", "270"), ("HI", "278"), ("HR", "276")})  # real-time: 271, 278 response, 277


@dataclass
class _Reading:
    """The transaction sets of one interchange, each read and answered: 837Ps kept for the front end, 270s and
    278s answered at once."""

    uow: SimulatorWork
    submitter: UUID
    interchange: Interchange
    book: PayerBook
    now: datetime
    accepted_claims: list[Claim] = field(default_factory=list)
    responses: list[str] = field(default_factory=list)

    async def transaction(self, group: FunctionalGroup, transaction: Transaction) -> TransactionResult:
        if (group.functional_id, transaction.set_id) in ANSWERED_AT_ONCE:
            return await self._inquiry(transaction)
        if group.functional_id != "HC" or transaction.set_id != "837":
            errors = [SegmentError("ST", 1, "", "1")]  # 837P, 270, 276 and 278 are taken here
            return TransactionResult(
                transaction.set_id, transaction.control_number, transaction.implementation, errors, []
            )
        reading = read_837(transaction, self.interchange.delimiters)
        errors = reading.errors
        if transaction.implementation != IMPLEMENTATION:
            errors = [SegmentError("ST", 1, "", "8"), *errors]
        result = TransactionResult(
            "837", transaction.control_number, transaction.implementation, errors, transaction.trailer_errors
        )
        if result.accepted and not group.trailer_errors:
            self.accepted_claims.extend(reading.claims)
        return result

    async def _inquiry(self, transaction: Transaction) -> TransactionResult:
        if transaction.set_id == "278":
            return await self._review(transaction)
        if transaction.set_id == "276":
            result, answer = await claim_status.answered(
                self.uow, self.submitter, transaction, self.interchange, self.now
            )
            self.responses += [answer] if answer else []
            return result
        inquiries = read_inquiries(transaction)
        errors = [] if inquiries else [SegmentError("HL", 2, "2000C", "3")]  # no subscriber asked about
        if inquiries and not transaction.trailer_errors:
            self.responses.append(
                await answer_270(self.uow, self.submitter, inquiries, self.interchange, self.book, self.now)
            )
        return TransactionResult(
            transaction.set_id,
            transaction.control_number,
            transaction.implementation,
            errors,
            transaction.trailer_errors,
        )

    async def _review(self, transaction: Transaction) -> TransactionResult:
        """A 278 request for review, answered at once (reviews.py); an unreadable one gets a 999 error."""
        try:
            requests = read_278_request(transaction, self.interchange.delimiters)
        except X12Error as error:
            errors = [SegmentError(error.tag, error.position - transaction.position + 1, "", "8")]
            return TransactionResult(
                "278", transaction.control_number, transaction.implementation, errors, transaction.trailer_errors
            )
        if requests and not transaction.trailer_errors:
            self.responses.append(
                await _review_answer(self.uow, self.submitter, requests, self.interchange, self.book, self.now)
            )
        return TransactionResult(
            "278", transaction.control_number, transaction.implementation, [], transaction.trailer_errors
        )


async def _review_answer(
    uow: SimulatorWork,
    submitter: UUID,
    requests: list[ReviewRequest],
    interchange: Interchange,
    book: PayerBook,
    now: datetime,
) -> str:
    enrolled = await uow.received.roster(submitter, ((r.payer.identifier, r.subscriber.identifier) for r in requests))
    asked_before = await uow.received.pended_before(submitter, (r.trace for r in requests))
    numbers = iter(await uow.received.payer_numbers(len(requests)))
    answers = []
    for n, request in enumerate(requests, start=1):
        row = enrolled.get((request.payer.identifier, request.subscriber.identifier))
        member = member_state(row, now.year) if row is not None else None
        decision = decide(
            request,
            book.payers.get(request.payer.identifier),
            member,
            today=business_date(at=now),
            number=lambda: f"AUTH{next(numbers)}",
            asked_before=request.trace in asked_before,
        )
        answers.append((request, decision, f"{n:04d}"))
    await uow.received.pended(submitter, (r.trace for r, d, _ in answers if d.action == "A4"))
    control = await uow.received.next_control()
    envelope = Envelope(interchange.sender_qualifier, interchange.sender_id, control, control, now)
    content = review_interchange(
        [transaction_278_response(r, d, number, created=now) for r, d, number in answers], envelope
    )
    await uow.received.store_document(submitter, "278", content)
    return content


async def _front_end(
    uow: SimulatorWork,
    submitter: UUID,
    submission_id: UUID,
    interchange: Interchange,
    received: list[Claim],
    book: PayerBook,
    now: datetime,
) -> tuple[int, int]:
    """The clearinghouse's edits, then the payer's for what it forwards; both 277CAs to the inbox."""
    if not received:
        return 0, 0
    house = [ClaimAck(c, clearinghouse_status(c, payer_known=c.payer_id in book.payers), None) for c in received]
    payer_acks = await _payer_intake(uow, submitter, [a.claim for a in house if a.accepted], book)
    final = {a.claim.patient_control_number: a for a in payer_acks}
    acks = [final.get(a.claim.patient_control_number, a) for a in house]
    rows = [_claim_row(a, submitter, submission_id, now) for a in acks]
    await uow.received.store_claims(rows)
    # The clearinghouse's 277CA first; then each payer's own, for the claims forwarded to it.
    reports: list[tuple[list[ClaimAck], InformationSource]] = [(house, CLEARINGHOUSE)]
    for payer_id in sorted({a.claim.payer_id for a in payer_acks}):
        source = InformationSource("PR", book.payers[payer_id].name.upper(), "PI", payer_id)
        reports.append(([a for a in payer_acks if a.claim.payer_id == payer_id], source))
    for report, source in reports:
        await _store_277ca(uow, submitter, interchange, report, source, now)
    accepted = sum(a.accepted for a in acks)
    return accepted, len(acks) - accepted


def _claim_row(ack: ClaimAck, submitter: UUID, submission_id: UUID, now: datetime) -> dict[str, Any]:
    return {
        "id": uuid4(),
        "submitter": submitter,
        "submission_id": submission_id,
        "payer_id": ack.claim.payer_id,
        "payer_claim_number": ack.payer_claim_number,
        "patient_control_number": ack.claim.patient_control_number,
        "status": "accepted" if ack.status == ACCEPTED else "rejected",
        "claim_status": ack.status,
        "duplicate_key": duplicate_key(ack.claim),
        "claim": ack.claim.model_dump(mode="json"),
        "received_on": business_date(at=now),
    }


async def _payer_intake(uow: SimulatorWork, submitter: UUID, forwarded: list[Claim], book: PayerBook) -> list[ClaimAck]:
    """The payer's own edits on what the clearinghouse forwarded; accepted claims get the payer's number."""
    if not forwarded:
        return []
    enrolled = set(await uow.received.roster(submitter, ((c.payer_id, c.member_id) for c in forwarded)))
    denied = await _denied(uow, submitter, forwarded)
    verdicts = [
        payer_status(
            claim,
            member_known=lambda p, m: (p, m) in enrolled,
            new_original_after_denial=book.payers[claim.payer_id].new_original_after_denial,
            denied=denied,
        )
        for claim in forwarded
    ]
    numbers = iter(await uow.received.payer_numbers(verdicts.count(ACCEPTED)))
    return [
        ClaimAck(claim, verdict, f"{claim.payer_id}{next(numbers)}" if verdict == ACCEPTED else None)
        for claim, verdict in zip(forwarded, verdicts, strict=True)
    ]


async def _denied(uow: SimulatorWork, submitter: UUID, received: list[Claim]) -> set[str]:
    """Of the claims the replacements among `received` name (REF*F8), those their payer denied whole."""
    numbers = {c.original_reference for c in received if c.frequency == "7" and c.original_reference}
    found = await uow.received.adjudications(submitter, numbers) if numbers else {}
    return {number for number, decided in found.items() if adjudication_from_json(decided).denied}


async def _store_277ca(
    uow: SimulatorWork,
    submitter: UUID,
    interchange: Interchange,
    report: list[ClaimAck],
    source: InformationSource,
    now: datetime,
) -> None:
    control = await uow.received.next_control()
    content = build_277ca(
        report,
        submitter_name=report[0].claim.billing_name or "SUBMITTER",
        submitter_id=interchange.sender_id,
        envelope=Envelope(interchange.sender_qualifier, interchange.sender_id, control, control, now),
        source=source,
    )
    await uow.received.store_document(submitter, "277CA", content)
