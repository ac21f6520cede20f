"""What comes back from the clearinghouse (999s and 277CAs): stored first, applied after.

A document is written to `inbound` in the transaction that receives it, so a failure to apply it never loses it.
The pending documents of a pass are then applied in one transaction, in arrival order, to their claims read once.
A document that cannot be read (a malformed file, a payer claim number too long to store) is quarantined with its
reason in that transaction. When the pass fails for anything else (a stored row that names no interchange), each
document is applied in its own: the one that fails is quarantined with its reason and the documents behind it flow
on. A pass holds at most PASS_SIZE bytes of documents (a larger one alone), so that a run of large ones cannot
exhaust memory.

A tenant's billers see its quarantined 999s through the API and retry or discard them; installation operators see
every document, the 277CAs (which belong to no one tenant) too.
"""

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from uuid import UUID

from claimstream_platform.contracts import Reason
from claimstream_platform.engines import is_transient
from claimstream_platform.x12 import X12Error

from claim_submission import handlers
from claim_submission.domain.claim import Claim
from claim_submission.domain.states import AT_PAYER, SENT, ClaimStatus
from claim_submission.gateway import MAX_DOCUMENT_CHARS, Gateway
from claim_submission.inbound.acknowledgments import ClaimStatus as Answer
from claim_submission.inbound.acknowledgments import read_277ca, read_999
from claim_submission.intake.corrections import release_waiting_corrections
from claim_submission.repository import ClaimWork

log = logging.getLogger(__name__)
APPLY_LIMIT = 200  # documents per pass
PASS_SIZE = 16 * 1024 * 1024  # bytes of documents a pass holds at once (a larger one alone)
CORRECTING = ("7", "8")  # the frequencies of a replacement and a void, which settle the claim they correct
T = TypeVar("T")
UNEXPLAINED = Reason(rule="999.rejected", field="interchange", message="the 999 rejected the transaction set")


@dataclass(frozen=True)
class Verdicts:
    """A 999, read: each transaction set's verdict (accepted, reasons), and whether it rejects our whole group."""

    interchange_number: int
    of_sets: dict[str, tuple[bool, list[Reason]]]
    group_rejected: bool


Read = Verdicts | dict[str, Answer]  # a 999's verdicts, or a 277CA's answers by CLM01


async def store(uow: ClaimWork, received: list[tuple[str, str, str]], *, tenant_id: UUID | None = None) -> None:
    """(kind, source, content) rows, once per source: a document collected twice is stored once. `tenant_id`: the
    tenant the documents answer (a 999, its interchange's); None when they may carry many tenants' (a 277CA)."""
    if not received:
        return
    too_large = f"larger than {MAX_DOCUMENT_CHARS} characters: not read"
    rows = [
        {"kind": kind, "source": source, "content": content, "status": "pending", "reason": None}
        if len(content) <= MAX_DOCUMENT_CHARS
        else {"kind": kind, "source": source, "content": "", "status": "quarantined", "reason": too_large}
        for kind, source, content in received
    ]
    await uow.documents.store([{**row, "tenant_id": tenant_id} for row in rows])


async def collect(make_uow: Callable[[], ClaimWork], gateway: Gateway) -> int:
    """Store every 277CA of the inbox, then remove each from the inbox; returns how many were collected."""
    found = await gateway.documents("277CA")
    for part in _parts(found, lambda document: len(document.content)):
        async with make_uow() as uow:
            await store(uow, [("277CA", f"inbox:{document.id}", document.content) for document in part])
            await uow.commit()
    for document in found:
        await gateway.done(document.id)
    return len(found)


def _parts(items: Sequence[T], size: Callable[[T], int]) -> Iterator[list[T]]:
    """`items` in order, in parts of at most PASS_SIZE by `size` (characters of X12, which is ASCII: bytes), a
    larger item alone."""
    part: list[T] = []
    taken = 0
    for item in items:
        if part and taken + size(item) > PASS_SIZE:
            yield part
            part, taken = [], 0
        part.append(item)
        taken += size(item)
    if part:
        yield part


async def apply_pending(make_uow: Callable[[], ClaimWork]) -> int:
    """Apply stored documents in arrival order, the pass's together, else each on its own; returns how many
    claim moves they made."""
    try:
        return await _apply(make_uow, None)
    except Exception as error:
        if is_transient(error):
            raise
        log.warning("inbound documents applied one at a time", extra={"error": type(error).__name__})
    async with make_uow() as uow:
        pending = await uow.documents.pending(APPLY_LIMIT)
    changed = 0
    for document_id in pending:
        try:
            changed += await _apply(make_uow, document_id)
        except Exception as error:
            if is_transient(error):
                raise
            log.error("inbound document quarantined", extra={"document": document_id, "error": type(error).__name__})
            await _quarantine(make_uow, document_id, type(error).__name__)
    return changed


async def _apply(make_uow: Callable[[], ClaimWork], document_id: int | None) -> int:
    """The pending documents (the pass's, or the one named) in one transaction; returns how many moves."""
    async with make_uow() as uow:
        documents = await uow.documents.lock_pending(APPLY_LIMIT, PASS_SIZE, document_id)
        if not documents:
            return 0
        read = [(document.id, _read(document)) for document in documents]
        for unreadable, reason in ((n, r) for n, r in read if isinstance(r, str)):
            log.error("inbound document quarantined", extra={"document": unreadable, "error": "X12Error"})
            await uow.documents.quarantine(unreadable, reason)
        answers = [answer for _, answer in read if not isinstance(answer, str)]
        claims = await _claims_answered(uow, answers)
        moves, accepted = _apply_in_order(answers, claims)
        await handlers.store(uow, list(claims.values()))
        await release_waiting_corrections(uow, {c.id: c.payer_claim_number for c in accepted if c.payer_claim_number})
        await uow.documents.applied([n for n, answer in read if not isinstance(answer, str)])
        await uow.commit()
    return moves


async def _claims_answered(uow: ClaimWork, answers: Sequence[Read]) -> dict[UUID, Claim]:
    """The claims the answers name that may be at the payer, and the claims their corrections correct, by id."""
    found = await uow.claims.lock_answered(
        [a.interchange_number for a in answers if isinstance(a, Verdicts)],
        [number for a in answers if isinstance(a, dict) for number in a],
    )
    claims = {claim.id: claim for claim in found}
    corrected = {c.replaces_claim_id for c in found if c.replaces_claim_id and c.frequency in CORRECTING} - set(claims)
    for original in await uow.claims.lock_many(corrected) if corrected else []:
        claims[original.id] = original
    return claims


def _apply_in_order(answers: Sequence[Read], claims: Mapping[UUID, Claim]) -> tuple[int, list[Claim]]:
    """Each document's answers in arrival order, to the claims as the documents before left them; a correction a
    document accepts settles the claim it corrects before the next document. Returns the moves and the claims
    accepted."""
    named = _Named(claims.values())
    moves, accepted = 0, []
    for answer in answers:
        changed = _applied(answer, named)
        moves += len(changed)
        now = [c for c in changed if c.status == ClaimStatus.ACCEPTED]
        accepted += now
        # each claim once, as the document's last correction of it says (two of one claim may come together)
        corrected = {c.replaces_claim_id: c.frequency for c in now if c.replaces_claim_id and c.frequency in CORRECTING}
        for original_id, frequency in corrected.items():
            if original_id in claims:
                claims[original_id].settled_by_correction(frequency)
    return moves, accepted


def _read(document: Any) -> Read | str:
    """A stored document's (its `inbound` row's) verdicts or answers; the reason it cannot be read, when it cannot."""
    try:
        if document.kind == "999":
            return _verdicts(int(document.source.split(":")[1]), document.content)
        return {status.patient_control_number: status for status in read_277ca(document.content)}
    except X12Error as error:
        return str(error)


def _verdicts(number: int, text: str) -> Verdicts:
    of_sets: dict[str, tuple[bool, list[Reason]]] = {}
    group_rejected = False
    for group in read_999(text):
        covers_us = group.group_control_number == str(number)
        group_rejected = group_rejected or (covers_us and not group.accepted)
        for transaction in group.transactions:
            of_sets[transaction.control_number] = (transaction.accepted and group.accepted, transaction.reasons)
    return Verdicts(number, of_sets, group_rejected)


async def _quarantine(make_uow: Callable[[], ClaimWork], document_id: int, reason: str) -> None:
    async with make_uow() as uow:
        await uow.documents.quarantine(document_id, reason)
        await uow.commit()


class _Named:
    """A pass's claims by the interchange they went in and by their CLM01, each list in id order (as they were
    locked), so that a document finds its claims without a walk over the pass's."""

    def __init__(self, claims: Iterable[Claim]) -> None:
        self.by_interchange: dict[int | None, list[Claim]] = defaultdict(list)
        self.by_control: dict[str, Claim] = {}
        for claim in sorted(claims, key=lambda c: c.id):
            self.by_interchange[claim.interchange_number].append(claim)
            self.by_control[claim.patient_control_number] = claim


def _applied(answer: Read, named: _Named) -> list[Claim]:
    """One document's answer applied to the claims it names, as they stand; returns those that moved."""
    if isinstance(answer, Verdicts):
        sent = named.by_interchange.get(answer.interchange_number, [])
        return _apply_999(answer, [c for c in sent if c.status == ClaimStatus.SUBMITTED])
    # not ours, or settled by an earlier document, otherwise
    found = sorted((named.by_control[n] for n in answer if n in named.by_control), key=lambda c: c.id)
    at_payer = [c for c in found if c.status in AT_PAYER]
    return [claim for claim in at_payer if _apply_answer(claim, answer[claim.patient_control_number])]


def _apply_999(verdicts: Verdicts, sent: list[Claim]) -> list[Claim]:
    """Transaction sets the 999 accepts: their claims are acknowledged; those it rejects: rejected. When the 999
    rejects our whole group without naming sets, every claim of the interchange is rejected."""
    of_sets = verdicts.of_sets
    good = [c for c in sent if of_sets.get(c.transaction_control or "", (False, []))[0]]
    good_ids = {c.id for c in good}
    bad = [c for c in sent if (c.transaction_control in of_sets or verdicts.group_rejected) and c.id not in good_ids]
    for claim in good:
        claim.acknowledge()
    for claim in bad:
        claim.reject("999", of_sets.get(claim.transaction_control or "", (False, []))[1] or [UNEXPLAINED])
    return [*good, *bad]


def _apply_answer(claim: Claim, answer: Answer) -> bool:
    """One claim's 277CA status; False when it changes nothing (already there). A1 moves a sent claim to received;
    A2 (the payer's 277CA, or a clearinghouse that speaks for it) to accepted; a rejection at any stage wins over an
    earlier receipt or acceptance: the clearinghouse's 277CA is often followed by the payer's own, and a payer
    rejection must reach the work queue."""
    if answer.rejected:
        claim.reject("277CA", [answer.reason()])
    elif answer.accepted and claim.status != ClaimStatus.ACCEPTED:
        claim.accept(answer.payer_claim_number)
    elif answer.received and claim.status in SENT:
        claim.receive(answer.status)
    else:
        return False
    return True
