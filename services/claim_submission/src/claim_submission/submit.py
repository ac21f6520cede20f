"""Sending claims and reading the answers, in three steps a worker repeats.

1. `batch`: ready claims are bound to a new interchange (one per tenant and payer) whose exact text is stored
   with them in one transaction. A claim version belongs to one interchange, ever.
2. `send`: each pending interchange goes to the clearinghouse, as stored. A retry after a crash or a timeout
   sends the same text with the same control number; a clearinghouse that has it says so (AlreadyReceived),
   so a claim is never submitted twice. The 999 moves each claim to acknowledged or rejected.
3. `read_statuses`: 277CAs move claims to accepted (with the payer's claim number) or rejected.
"""

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from claimstream_platform.contracts import claim_submission as events
from claimstream_platform.contracts.charge_capture import ChargeCaptured, Reason
from claimstream_platform.db import UnitOfWork
from claimstream_platform.errors import TransientError
from sqlalchemy import select, update
from sqlalchemy.engine import Row

from claim_submission.acknowledgments import read_277ca, read_999
from claim_submission.gateway import AlreadyReceived, Gateway, Refused
from claim_submission.lifecycle import _ids, release_waiting_corrections, transition
from claim_submission.tables import claims, interchange_numbers, submissions
from claim_submission.x837 import ClaimToSend, Party, build_837

log = logging.getLogger(__name__)
BATCH_LIMIT = 2000


@dataclass(frozen=True)
class Envelope:
    submitter: Party
    receiver: Party
    usage: str = "P"


async def batch(uow: UnitOfWork, envelope: Envelope, *, now: datetime | None = None) -> int:
    """Bind ready claims to new interchanges; returns how many claims were batched. Commits."""
    now = now or datetime.now(UTC)
    async with uow:
        ready = (
            await uow.session.execute(
                select(claims)
                .where(claims.c.status == "ready")
                .order_by(claims.c.created_at)
                .limit(BATCH_LIMIT)
                .with_for_update(skip_locked=True)
            )
        ).all()
        groups: dict[tuple[UUID, str], list[Row[Any]]] = defaultdict(list)
        for claim in ready:
            groups[(claim.tenant_id, claim.payer_id)].append(claim)
        for (tenant_id, payer_id), members in groups.items():
            number = int(await uow.session.scalar(select(interchange_numbers.next_value())) or 0)
            to_send = [_to_send(claim) for claim in members]
            control = str(number)
            content = build_837(
                to_send, submitter=envelope.submitter, receiver=envelope.receiver, control_number=control, now=now,
                usage=envelope.usage,
            )  # fmt: skip
            await uow.session.execute(
                submissions.insert().values(
                    interchange_number=number, tenant_id=tenant_id, payer_id=payer_id, status="pending", content=content
                )
            )
            transactions = _transaction_numbers(to_send)
            for claim, item in zip(members, to_send, strict=True):
                single = build_837([item], submitter=envelope.submitter, receiver=envelope.receiver,
                                   control_number=control, now=now, usage=envelope.usage)  # fmt: skip
                await uow.session.execute(
                    update(claims)
                    .where(claims.c.id == claim.id)
                    .values(
                        interchange_number=number,
                        transaction_control=transactions[item.charges.billing_provider.npi],
                        x12=single,
                    )
                )
                await transition(uow, claim, "submitting", detail={"interchange": number})
        await uow.commit()
    return len(ready)


async def send(make_uow: Callable[[], UnitOfWork], gateway: Gateway) -> int:
    """Send every pending interchange; returns how many were answered. One transaction per interchange."""
    async with make_uow() as uow:
        pending = list(
            await uow.session.scalars(
                select(submissions.c.interchange_number)
                .where(submissions.c.status == "pending")
                .order_by(submissions.c.interchange_number)
            )
        )
    answered = 0
    for number in pending:
        async with make_uow() as uow:
            submission = (
                await uow.session.execute(
                    select(submissions)
                    .where(submissions.c.interchange_number == number, submissions.c.status == "pending")
                    .with_for_update(skip_locked=True)
                )
            ).one_or_none()
            if submission is None:
                continue  # another worker has it
            try:
                acknowledgments = await gateway.submit(submission.content)
            except AlreadyReceived:
                await _record_sent(uow, number, "received", None)
            except Refused as refusal:
                await _record_sent(uow, number, "refused", str(refusal))
                for claim in await _claims_of(uow, number):
                    refused = Reason(rule="interchange.refused", field="interchange", message=str(refusal)[:300])
                    await _reject(uow, claim, "999", [refused])
            except TransientError as error:
                log.warning("clearinghouse unavailable; interchange stays pending", extra={"error": str(error)})
                return answered
            else:
                await _record_sent(uow, number, "acknowledged", "\n".join(acknowledgments))
                await _apply_999(uow, number, acknowledgments)
            await uow.commit()
            answered += 1
    return answered


async def read_statuses(make_uow: Callable[[], UnitOfWork], gateway: Gateway) -> int:
    """Apply every 277CA in the inbox, then remove it from the inbox; returns how many claims changed."""
    changed = 0
    for document in await gateway.documents("277CA"):
        async with make_uow() as uow:
            for status in read_277ca(document.content):
                claim = (
                    await uow.session.execute(
                        select(claims)
                        .where(claims.c.patient_control_number == status.patient_control_number)
                        .with_for_update()
                    )
                ).one_or_none()
                if claim is None or claim.status not in ("submitting", "submitted", "acknowledged"):
                    continue  # not ours, or already settled by an earlier copy of this document
                changed += 1
                if status.accepted:
                    await _accept(uow, claim, status.payer_claim_number)
                else:
                    await _reject(uow, claim, "277CA", [status.reason()])
            await uow.commit()
        await gateway.done(document.id)
    return changed


async def _apply_999(uow: UnitOfWork, number: int, acknowledgments: list[str]) -> None:
    accepted: dict[str, bool] = {}
    reasons: dict[str, list[Reason]] = {}
    for text in acknowledgments:
        for group in read_999(text):
            for transaction in group.transactions:
                accepted[transaction.control_number] = transaction.accepted and group.accepted
                reasons[transaction.control_number] = transaction.reasons
    for claim in await _claims_of(uow, number):
        control = claim.transaction_control
        await transition(uow, claim, "submitted", detail={"interchange": number})
        uow.publish(events.ClaimSubmitted(**_ids(claim), interchange_control_number=str(number)))
        if accepted.get(control, False):
            await transition(uow, claim, "acknowledged")
            uow.publish(events.ClaimAcknowledged(**_ids(claim)))
        else:
            unexplained = Reason(
                rule="999.rejected", field="interchange", message="the 999 rejected the transaction set"
            )
            found = reasons.get(control) or [unexplained]
            await _reject(uow, claim, "999", found)


async def _accept(uow: UnitOfWork, claim: Row[Any], payer_claim_number: str | None) -> None:
    values: dict[str, Any] = {"reasons": []}
    if payer_claim_number:
        values["payer_claim_number"] = payer_claim_number
    await uow.session.execute(update(claims).where(claims.c.id == claim.id).values(**values))
    await transition(uow, claim, "accepted", detail={"payer_claim_number": payer_claim_number})
    uow.publish(events.ClaimAccepted(**_ids(claim), payer_claim_number=payer_claim_number))
    if claim.replaces_claim_id is not None:  # the payer took the correction: the corrected claim is settled
        original = (await uow.session.execute(select(claims).where(claims.c.id == claim.replaces_claim_id))).one()
        await transition(uow, original, "voided" if claim.frequency == "8" else "replaced")
    if payer_claim_number:
        await release_waiting_corrections(uow, claim, payer_claim_number)


async def _reject(uow: UnitOfWork, claim: Row[Any], source: str, reasons: list[Reason]) -> None:
    await uow.session.execute(
        update(claims).where(claims.c.id == claim.id).values(reasons=[r.model_dump() for r in reasons])
    )
    await transition(uow, claim, "rejected", detail={"source": source, "reasons": [r.rule for r in reasons]})
    uow.publish(events.ClaimRejected(**_ids(claim), source=source, reasons=reasons))


async def _record_sent(uow: UnitOfWork, number: int, status: str, acknowledgment: str | None) -> None:
    await uow.session.execute(
        update(submissions)
        .where(submissions.c.interchange_number == number)
        .values(status=status, acknowledgment=acknowledgment, sent_at=datetime.now(UTC))
    )
    if status == "received":  # sent before, its 999 lost: the claims are with the clearinghouse all the same
        for claim in await _claims_of(uow, number):
            await transition(uow, claim, "submitted", detail={"interchange": number, "999": "not received"})
            uow.publish(events.ClaimSubmitted(**_ids(claim), interchange_control_number=str(number)))


async def _claims_of(uow: UnitOfWork, number: int) -> list[Row[Any]]:
    rows = await uow.session.execute(
        select(claims).where(claims.c.interchange_number == number, claims.c.status == "submitting").with_for_update()
    )
    return list(rows.all())


def _to_send(claim: Row[Any]) -> ClaimToSend:
    return ClaimToSend(
        patient_control_number=claim.patient_control_number,
        frequency=claim.frequency,
        charges=ChargeCaptured.model_validate(claim.charges),
        payer_claim_number=claim.payer_claim_number,
    )


def _transaction_numbers(to_send: list[ClaimToSend]) -> dict[str, str]:
    """ST02 per billing provider, in the order build_837 writes them."""
    order: list[str] = []
    for item in to_send:
        if item.charges.billing_provider.npi not in order:
            order.append(item.charges.billing_provider.npi)
    return {npi: f"{n:04d}" for n, npi in enumerate(order, start=1)}
