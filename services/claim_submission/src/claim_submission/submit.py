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
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.engine import Row

from claim_submission.acknowledgments import ClaimStatus, read_277ca, read_999
from claim_submission.gateway import AlreadyReceived, Gateway, Refused
from claim_submission.lifecycle import event_identity, release_waiting_corrections, transition_many
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
            await uow.session.execute(
                update(claims)
                .where(claims.c.id == bindparam("claim_id"))
                .values(interchange_number=number, transaction_control=bindparam("control"), x12=bindparam("x12")),
                [
                    {
                        "claim_id": claim.id,
                        "control": transactions[item.charges.billing_provider.npi],
                        # the claim's own copy, for GET /v1/claims/{id}/x12: the batch holds other claims
                        "x12": build_837([item], submitter=envelope.submitter, receiver=envelope.receiver,
                                         control_number=control, now=now, usage=envelope.usage),
                    }
                    for claim, item in zip(members, to_send, strict=True)
                ],
            )  # fmt: skip
            await transition_many(uow, [c.id for c in members], "submitting", [{"interchange": number}] * len(members))
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
                refused = Reason(rule="interchange.refused", field="interchange", message=str(refusal)[:300])
                sent = await _claims_of(uow, number)
                await _reject(uow, sent, "999", [[refused]] * len(sent))
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
        statuses = {status.patient_control_number: status for status in read_277ca(document.content)}
        async with make_uow() as uow:
            found = (
                await uow.session.execute(
                    select(claims)
                    .where(
                        claims.c.patient_control_number.in_(list(statuses)),
                        # not ours, or settled by an earlier copy of this document, otherwise
                        claims.c.status.in_(("submitting", "submitted", "acknowledged")),
                    )
                    .with_for_update()
                )
            ).all()
            accepted = [
                (c, statuses[c.patient_control_number]) for c in found if statuses[c.patient_control_number].accepted
            ]
            rejected = [
                (c, statuses[c.patient_control_number])
                for c in found
                if not statuses[c.patient_control_number].accepted
            ]
            await _accept(uow, accepted)
            await _reject(uow, [c for c, _ in rejected], "277CA", [[s.reason()] for _, s in rejected])
            changed += len(found)
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
    sent = await _claims_of(uow, number)
    await _submitted(uow, number, sent)
    good = [claim for claim in sent if accepted.get(claim.transaction_control, False)]
    bad = [claim for claim in sent if not accepted.get(claim.transaction_control, False)]
    await transition_many(uow, [c.id for c in good], "acknowledged", [{}] * len(good))
    for claim in good:
        uow.publish(events.ClaimAcknowledged(**event_identity(claim)))
    unexplained = Reason(rule="999.rejected", field="interchange", message="the 999 rejected the transaction set")
    await _reject(uow, bad, "999", [reasons.get(c.transaction_control) or [unexplained] for c in bad])


async def _submitted(uow: UnitOfWork, number: int, sent: list[Row[Any]], **detail: str) -> None:
    await transition_many(uow, [c.id for c in sent], "submitted", [{"interchange": number, **detail}] * len(sent))
    for claim in sent:
        uow.publish(events.ClaimSubmitted(**event_identity(claim), interchange_control_number=str(number)))


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


async def _reject(uow: UnitOfWork, rejected: list[Row[Any]], source: str, reasons: list[list[Reason]]) -> None:
    if not rejected:
        return
    await uow.session.execute(
        update(claims).where(claims.c.id == bindparam("claim_id")).values(reasons=bindparam("found")),
        [
            {"claim_id": c.id, "found": [r.model_dump() for r in found]}
            for c, found in zip(rejected, reasons, strict=True)
        ],
    )
    await transition_many(
        uow, [c.id for c in rejected], "rejected",
        [{"source": source, "reasons": [r.rule for r in found]} for found in reasons],
    )  # fmt: skip
    for claim, found in zip(rejected, reasons, strict=True):
        uow.publish(events.ClaimRejected(**event_identity(claim), source=source, reasons=found))


async def _record_sent(uow: UnitOfWork, number: int, status: str, acknowledgment: str | None) -> None:
    await uow.session.execute(
        update(submissions)
        .where(submissions.c.interchange_number == number)
        .values(status=status, acknowledgment=acknowledgment, sent_at=datetime.now(UTC))
    )
    if status == "received":  # sent before, its 999 lost: the claims are with the clearinghouse all the same
        await _submitted(uow, number, await _claims_of(uow, number), acknowledgment="not received")


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
