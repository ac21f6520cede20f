"""What comes back from the clearinghouse (999s and 277CAs): stored first, applied after, one at a time.

A document is written to `inbound` in the transaction that receives it, so a failure to apply it never loses it.
Each pending document is then applied in its own transaction. One that cannot be read or applied (a malformed
file, a payer claim number too long to store) is quarantined with its reason; the documents behind it flow on.
A tenant's billers see its quarantined 999s through the API and retry or discard them; installation operators
see every document, the 277CAs (which belong to no one tenant) too.
"""

import logging
from collections.abc import Callable
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
    """Store every 277CA in the inbox, then remove each from the inbox; returns how many were collected."""
    found = await gateway.documents("277CA")
    for document in found:
        async with make_uow() as uow:
            await store(uow, [("277CA", f"inbox:{document.id}", document.content)])
            await uow.commit()
        await gateway.done(document.id)
    return len(found)


async def apply_pending(make_uow: Callable[[], ClaimWork]) -> int:
    """Apply stored documents in arrival order; returns how many claims changed."""
    async with make_uow() as uow:
        pending = await uow.documents.pending(APPLY_LIMIT)
    changed = 0
    for document_id in pending:
        try:
            changed += await _apply_one(make_uow, document_id)
        except Exception as error:
            if is_transient(error):
                raise
            reason = str(error) if isinstance(error, X12Error) else type(error).__name__
            log.error("inbound document quarantined", extra={"document": document_id, "error": type(error).__name__})
            await _quarantine(make_uow, document_id, reason)
    return changed


async def _apply_one(make_uow: Callable[[], ClaimWork], document_id: int) -> int:
    async with make_uow() as uow:
        document = await uow.documents.lock_pending(document_id)
        if document is None:
            return 0
        if document.kind == "999":
            changed = await _apply_999(uow, int(document.source.split(":")[1]), document.content)
        else:
            changed = await _apply_277ca(uow, document.content)
        await uow.documents.applied(document_id)
        await uow.commit()
    return changed


async def _quarantine(make_uow: Callable[[], ClaimWork], document_id: int, reason: str) -> None:
    async with make_uow() as uow:
        await uow.documents.quarantine(document_id, reason)
        await uow.commit()


async def _apply_999(uow: ClaimWork, number: int, text: str) -> int:
    """Transaction sets the 999 accepts: their claims are acknowledged; those it rejects: rejected. When the 999
    rejects our whole group without naming sets, every claim of the interchange is rejected."""
    verdicts: dict[str, tuple[bool, list[Reason]]] = {}
    group_rejected = False
    for group in read_999(text):
        covers_us = group.group_control_number == str(number)
        group_rejected = group_rejected or (covers_us and not group.accepted)
        for transaction in group.transactions:
            verdicts[transaction.control_number] = (transaction.accepted and group.accepted, transaction.reasons)
    sent = await uow.claims.lock_where(statuses=[ClaimStatus.SUBMITTED], interchange_number=number)
    unexplained = Reason(rule="999.rejected", field="interchange", message="the 999 rejected the transaction set")
    good = [c for c in sent if verdicts.get(c.transaction_control or "", (False, []))[0]]
    good_ids = {c.id for c in good}
    bad = [c for c in sent if (c.transaction_control in verdicts or group_rejected) and c.id not in good_ids]
    for claim in good:
        claim.acknowledge()
    for claim in bad:
        claim.reject("999", verdicts.get(claim.transaction_control or "", (False, []))[1] or [unexplained])
    await handlers.store(uow, [*good, *bad])
    return len(good) + len(bad)


async def _apply_277ca(uow: ClaimWork, text: str) -> int:
    """A1 moves a sent claim to received; A2 (the payer's 277CA, or a clearinghouse that speaks for it) to
    accepted; a rejection at any stage wins over an earlier receipt or acceptance: the clearinghouse's 277CA is
    often followed by the payer's own, and a payer rejection must reach the work queue."""
    statuses = {status.patient_control_number: status for status in read_277ca(text)}
    # not ours, or settled by an earlier copy of this document, otherwise
    found = await uow.claims.lock_where(statuses=sorted(AT_PAYER), control_numbers=list(statuses))
    changed = [claim for claim in found if _apply_answer(claim, statuses[claim.patient_control_number])]
    await handlers.store(uow, changed)
    accepted = [claim for claim in changed if claim.status == ClaimStatus.ACCEPTED]
    await _settle_corrected(uow, accepted)
    return len(changed)


def _apply_answer(claim: Claim, answer: Answer) -> bool:
    """One claim's 277CA status; False when it changes nothing (already there)."""
    if answer.rejected:
        claim.reject("277CA", [answer.reason()])
    elif answer.accepted and claim.status != ClaimStatus.ACCEPTED:
        claim.accept(answer.payer_claim_number)
    elif answer.received and claim.status in SENT:
        claim.receive(answer.status)
    else:
        return False
    return True


async def _settle_corrected(uow: ClaimWork, accepted: list[Claim]) -> None:
    """The payer took a correction: the claim it corrects is settled; corrections waiting for a number go."""
    corrections = {
        c.replaces_claim_id: c.frequency for c in accepted if c.replaces_claim_id and c.frequency in ("7", "8")
    }
    originals = await uow.claims.lock_many(corrections) if corrections else []
    for original in originals:
        original.settled_by_correction(corrections[original.id])
    await handlers.store(uow, originals)
    await release_waiting_corrections(uow, {c.id: c.payer_claim_number for c in accepted if c.payer_claim_number})
