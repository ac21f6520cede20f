"""What comes back from the clearinghouse (999s and 277CAs): stored first, applied after, one at a time.

A document is written to `inbound` in the transaction that receives it, so a failure to apply it never loses it.
Each pending document is then applied in its own transaction. One that cannot be read or applied (a malformed
file, a payer claim number too long to store) is quarantined with its reason; the documents behind it flow on.
Operators see quarantined documents through the API and retry or discard them.
"""

import logging
from collections.abc import Callable
from typing import Any

from claimstream_platform.contracts import Reason
from claimstream_platform.contracts import claim_submission as events
from claimstream_platform.db import UnitOfWork, is_transient
from claimstream_platform.x12 import X12Error
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Row

from claim_submission.acknowledgments import ClaimStatus, read_277ca, read_999
from claim_submission.gateway import MAX_DOCUMENT_CHARS, Gateway
from claim_submission.lifecycle import release_waiting_corrections
from claim_submission.moves import event_identity, move_with_reasons, transition_many
from claim_submission.tables import claims, inbound

log = logging.getLogger(__name__)
APPLY_LIMIT = 200  # documents per pass


async def store(uow: UnitOfWork, documents: list[tuple[str, str, str]]) -> None:
    """(kind, source, content) rows, once per source: a document collected twice is stored once."""
    if not documents:
        return
    too_large = f"larger than {MAX_DOCUMENT_CHARS} characters: not read"
    rows = [
        {"kind": kind, "source": source, "content": content, "status": "pending", "reason": None}
        if len(content) <= MAX_DOCUMENT_CHARS
        else {"kind": kind, "source": source, "content": "", "status": "quarantined", "reason": too_large}
        for kind, source, content in documents
    ]
    await uow.session.execute(insert(inbound).values(rows).on_conflict_do_nothing(index_elements=["source"]))


async def collect(make_uow: Callable[[], UnitOfWork], gateway: Gateway) -> int:
    """Store every 277CA in the inbox, then remove each from the inbox; returns how many were collected."""
    documents = await gateway.documents("277CA")
    for document in documents:
        async with make_uow() as uow:
            await store(uow, [("277CA", f"inbox:{document.id}", document.content)])
            await uow.commit()
        await gateway.done(document.id)
    return len(documents)


async def apply_pending(make_uow: Callable[[], UnitOfWork]) -> int:
    """Apply stored documents in arrival order; returns how many claims changed."""
    async with make_uow() as uow:
        pending = list(
            await uow.session.scalars(
                select(inbound.c.id).where(inbound.c.status == "pending").order_by(inbound.c.id).limit(APPLY_LIMIT)
            )
        )
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


async def _apply_one(make_uow: Callable[[], UnitOfWork], document_id: int) -> int:
    async with make_uow() as uow:
        document = (
            await uow.session.execute(
                select(inbound)
                .where(inbound.c.id == document_id, inbound.c.status == "pending")
                .with_for_update(skip_locked=True)
            )
        ).one_or_none()
        if document is None:
            return 0
        if document.kind == "999":
            changed = await _apply_999(uow, int(document.source.split(":")[1]), document.content)
        else:
            changed = await _apply_277ca(uow, document.content)
        await uow.session.execute(
            update(inbound).where(inbound.c.id == document_id).values(status="applied", applied_at=func.now())
        )
        await uow.commit()
    return changed


async def _quarantine(make_uow: Callable[[], UnitOfWork], document_id: int, reason: str) -> None:
    async with make_uow() as uow:
        await uow.session.execute(
            update(inbound).where(inbound.c.id == document_id).values(status="quarantined", reason=reason[:300])
        )
        await uow.commit()


async def _apply_999(uow: UnitOfWork, number: int, text: str) -> int:
    """Transaction sets the 999 accepts: their claims are acknowledged; those it rejects: rejected. When the 999
    rejects our whole group without naming sets, every claim of the interchange is rejected."""
    verdicts: dict[str, tuple[bool, list[Reason]]] = {}
    group_rejected = False
    for group in read_999(text):
        covers_us = group.group_control_number == str(number)
        group_rejected = group_rejected or (covers_us and not group.accepted)
        for transaction in group.transactions:
            verdicts[transaction.control_number] = (transaction.accepted and group.accepted, transaction.reasons)
    sent = list(
        (
            await uow.session.execute(
                select(claims)
                .where(claims.c.interchange_number == number, claims.c.status == "submitted")
                .with_for_update()
            )
        ).all()
    )
    unexplained = Reason(rule="999.rejected", field="interchange", message="the 999 rejected the transaction set")
    good = [c for c in sent if verdicts.get(c.transaction_control, (False, []))[0]]
    good_ids = {c.id for c in good}
    bad = [c for c in sent if (c.transaction_control in verdicts or group_rejected) and c.id not in good_ids]
    await transition_many(uow, [c.id for c in good], "acknowledged", [{}] * len(good))
    for claim in good:
        uow.publish(events.ClaimAcknowledged(**event_identity(claim)))
    await reject(uow, bad, "999", [verdicts.get(c.transaction_control, (False, []))[1] or [unexplained] for c in bad])
    return len(good) + len(bad)


SENT = ("submitting", "submitted", "acknowledged")


async def _apply_277ca(uow: UnitOfWork, text: str) -> int:
    """A1 moves a sent claim to received; A2 (the payer's 277CA, or a clearinghouse that speaks for it) to
    accepted; a rejection at any stage wins over an earlier receipt or acceptance: the clearinghouse's 277CA is
    often followed by the payer's own, and a payer rejection must reach the work queue."""
    statuses = {status.patient_control_number: status for status in read_277ca(text)}
    found = (
        await uow.session.execute(
            select(claims)
            .where(
                claims.c.patient_control_number.in_(list(statuses)),
                # not ours, or settled by an earlier copy of this document, otherwise
                claims.c.status.in_((*SENT, "received", "accepted")),
            )
            .with_for_update()
        )
    ).all()
    pairs = [(c, statuses[c.patient_control_number]) for c in found]
    received = [(c, s) for c, s in pairs if s.received and c.status in SENT]
    accepted = [(c, s) for c, s in pairs if s.accepted and c.status != "accepted"]
    rejected = [(c, s) for c, s in pairs if s.rejected]
    await transition_many(uow, [c.id for c, _ in received], "received", [{"277CA": s.status} for _, s in received])
    await _accept(uow, accepted)
    await reject(uow, [c for c, _ in rejected], "277CA", [[s.reason()] for _, s in rejected])
    return len(received) + len(accepted) + len(rejected)


async def _accept(uow: UnitOfWork, accepted: list[tuple[Row[Any], ClaimStatus]]) -> None:
    if not accepted:
        return
    await uow.session.execute(
        update(claims)
        .where(claims.c.id == bindparam("claim_id"))
        .values(payer_claim_number=func.coalesce(bindparam("number"), claims.c.payer_claim_number), reasons=[]),
        [{"claim_id": claim.id, "number": status.payer_claim_number} for claim, status in accepted],
    )
    await transition_many(
        uow,
        [c.id for c, _ in accepted],
        "accepted",
        [{"payer_claim_number": s.payer_claim_number} for _, s in accepted],
    )
    for claim, status in accepted:
        uow.publish(events.ClaimAccepted(**event_identity(claim), payer_claim_number=status.payer_claim_number))
    # The payer took a correction: the claim it corrects is settled.
    for frequency, settled in (("7", "replaced"), ("8", "voided")):
        originals = [c.replaces_claim_id for c, _ in accepted if c.replaces_claim_id and c.frequency == frequency]
        await transition_many(uow, originals, settled, [{}] * len(originals))
    await release_waiting_corrections(
        uow, {claim.id: status.payer_claim_number for claim, status in accepted if status.payer_claim_number}
    )


async def reject(uow: UnitOfWork, rejected: list[Row[Any]], source: str, reasons: list[list[Reason]]) -> None:
    await move_with_reasons(uow, rejected, "rejected", reasons, source=source)
    for claim, found in zip(rejected, reasons, strict=True):
        uow.publish(events.ClaimRejected(**event_identity(claim), source=source, reasons=found))


async def set_status(uow: UnitOfWork, document_id: int, status: str) -> bool:
    """An operator's retry (pending again) or discard of a quarantined document; False when there is none."""
    changed = await uow.session.scalar(
        update(inbound)
        .where(inbound.c.id == document_id, inbound.c.status == "quarantined")
        .values(status=status, reason=None if status == "pending" else inbound.c.reason)
        .returning(inbound.c.id)
    )
    return changed is not None
