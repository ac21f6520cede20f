"""Sending claims, in two steps a worker repeats (reading the answers is `inbound`).

1. `batch`: ready claims are bound to a new interchange (one per tenant and payer) whose exact text is stored
   with them in one transaction. A claim version belongs to one interchange, ever. A claim that cannot be written
   returns to the work queue with its reason; the others go on.
2. `send`: each pending interchange goes to the clearinghouse, as stored, outside any database transaction: a
   short lease (`not_before`) marks it taken. A retry after a crash or a timeout sends the same text with the
   same control number; a clearinghouse that holds the same bytes says so (AlreadyReceived), so a claim is never
   submitted twice. The 999s are stored first and applied after (`inbound`). An interchange that cannot go out
   (refused, a control-number collision, anything but an outage) is quarantined with its reason, its claims
   return to the work queue, and the interchanges behind it flow on.
"""

import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from claimstream_platform.contracts import Reason
from claimstream_platform.contracts import claim_submission as events
from claimstream_platform.contracts.charge_capture import ChargeCaptured
from claimstream_platform.db import UnitOfWork, is_transient
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.engine import Row

from claim_submission import inbound, submitter
from claim_submission.gateway import AlreadyReceived, CredentialRefused, Gateway, Refused
from claim_submission.moves import event_identity, hold_many, transition_many
from claim_submission.tables import claims, interchange_numbers, submissions
from claim_submission.x837 import ClaimToSend, Party, Submitter, build_837

log = logging.getLogger(__name__)
BATCH_LIMIT = 2000
LEASE = timedelta(minutes=2)  # longer than a send with its retries; a crashed sender's lease runs out
MAX_WAIT = timedelta(minutes=10)  # the longest pause after repeated outages


@dataclass(frozen=True)
class Envelope:
    receiver: Party
    usage: str = "P"
    default_submitter: Submitter | None = None  # for tenants with no submitter of their own (submitter.py)


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
        senders = await _senders(uow, ready, envelope)
        unsendable = [claim for claim in ready if claim.tenant_id not in senders]
        await hold_many(uow, unsendable, [[submitter.not_configured()] for _ in unsendable])
        ready = [claim for claim in ready if claim.tenant_id in senders]
        own_copies, unwritable = _own_copies(ready, senders, envelope, now)
        await hold_many(uow, [claim for claim, _ in unwritable], [[_unwritable(error)] for _, error in unwritable])
        groups: dict[tuple[UUID, str], list[Row[Any]]] = defaultdict(list)
        for claim in ready:
            if claim.id in own_copies:
                groups[(claim.tenant_id, claim.payer_id)].append(claim)
        for (tenant_id, payer_id), members in groups.items():
            sender = senders[tenant_id]
            await _bind(uow, tenant_id, payer_id, members, own_copies, (sender, envelope), now)
        await uow.commit()
    return sum(len(members) for members in groups.values())


async def _senders(uow: UnitOfWork, ready: Sequence[Row[Any]], envelope: Envelope) -> dict[UUID, Submitter]:
    """Each tenant's submitter, or the installation's default; a tenant with neither is left out."""
    own = await submitter.of_tenants(uow, (claim.tenant_id for claim in ready))
    default = envelope.default_submitter
    return {
        tenant: own.get(tenant) or default  # type: ignore[misc]
        for tenant in {claim.tenant_id for claim in ready}
        if tenant in own or default is not None
    }


def _own_copies(
    ready: Sequence[Row[Any]], senders: dict[UUID, Submitter], envelope: Envelope, now: datetime
) -> tuple[dict[UUID, tuple[ClaimToSend, str]], list[tuple[Row[Any], Exception]]]:
    """Each claim's own 837P (for GET /v1/claims/{id}/x12); a claim whose stored content cannot be written is
    set aside with its error, so it cannot stop the batch."""
    copies: dict[UUID, tuple[ClaimToSend, str]] = {}
    failed: list[tuple[Row[Any], Exception]] = []
    for claim in ready:
        try:
            item = _to_send(claim)
            copies[claim.id] = (item, _write([item], (senders[claim.tenant_id], envelope), "0", now))
        except Exception as error:  # stored content that no longer validates or writes: a data problem
            failed.append((claim, error))
    return copies, failed


async def _bind(
    uow: UnitOfWork, tenant_id: UUID, payer_id: str, members: list[Row[Any]],
    own_copies: dict[UUID, tuple[ClaimToSend, str]], envelope: tuple[Submitter, Envelope], now: datetime,
) -> None:  # fmt: skip
    number = int(await uow.session.scalar(select(interchange_numbers.next_value())) or 0)
    control = str(number)
    to_send = [own_copies[claim.id][0] for claim in members]
    content = _write(to_send, envelope, control, now)
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
                "x12": _write([item], envelope, control, now),
            }
            for claim, item in zip(members, to_send, strict=True)
        ],
    )
    await transition_many(uow, [c.id for c in members], "submitting", [{"interchange": number}] * len(members))


def _write(items: list[ClaimToSend], envelope: tuple[Submitter, Envelope], control: str, now: datetime) -> str:
    sender, common = envelope
    return build_837(items, submitter=sender, receiver=common.receiver, control_number=control, now=now,
                     usage=common.usage)  # fmt: skip


def _unwritable(error: Exception) -> Reason:
    return Reason(rule="x12.unwritable", field="claim", message=f"the claim cannot be written: {type(error).__name__}")


async def send(make_uow: Callable[[], UnitOfWork], gateway: Gateway) -> int:
    """Send every pending interchange that is due; returns how many were answered. Stops at the first outage
    (the clearinghouse is away for all); raises CredentialRefused for an operator to act on."""
    async with make_uow() as uow:
        due = list(
            await uow.session.scalars(
                select(submissions.c.interchange_number)
                .where(submissions.c.status == "pending")
                .where((submissions.c.not_before.is_(None)) | (submissions.c.not_before <= func.now()))
                .order_by(submissions.c.interchange_number)
            )
        )
    answered = 0
    for number in due:
        content = await _take(make_uow, number)
        if content is None:
            continue  # another worker has it
        try:
            acknowledgments = await gateway.submit(content)
        except AlreadyReceived:
            await _record(make_uow, number, "received", acknowledgments=[])
        except Refused as refusal:
            await quarantine(make_uow, number, f"refused by the clearinghouse: {refusal}", status="refused")
        except CredentialRefused:
            await _release_lease(make_uow, number, retry_after=0)  # due again as soon as the credential is fixed
            raise
        except Exception as error:
            if not is_transient(error):
                log.error("interchange quarantined", extra={"interchange": number, "error": type(error).__name__})
                await quarantine(make_uow, number, f"could not be sent: {type(error).__name__}")
                continue
            log.warning("clearinghouse unavailable", extra={"interchange": number, "error": type(error).__name__})
            await _release_lease(make_uow, number, retry_after=getattr(error, "retry_after", None))
            return answered
        else:
            await _record(make_uow, number, "acknowledged", acknowledgments=acknowledgments)
        answered += 1
    await inbound.apply_pending(make_uow)
    return answered


async def _take(make_uow: Callable[[], UnitOfWork], number: int) -> str | None:
    """Lease a due interchange for one send; its content, or None when it is not due or taken."""
    async with make_uow() as uow:
        content = await uow.session.scalar(
            update(submissions)
            .where(submissions.c.interchange_number == number, submissions.c.status == "pending")
            .where((submissions.c.not_before.is_(None)) | (submissions.c.not_before <= func.now()))
            .values(not_before=func.now() + LEASE, attempts=submissions.c.attempts + 1)
            .returning(submissions.c.content)
        )
        await uow.commit()
    return str(content) if content is not None else None


async def _release_lease(make_uow: Callable[[], UnitOfWork], number: int, *, retry_after: float | None) -> None:
    """After an outage: wait the clearinghouse's Retry-After, else back off with the number of attempts."""
    async with make_uow() as uow:
        attempts = await uow.session.scalar(
            select(submissions.c.attempts).where(submissions.c.interchange_number == number)
        )
        backoff = timedelta(seconds=2 ** min(int(attempts or 1), 9))
        wait = timedelta(seconds=retry_after) if retry_after is not None else backoff
        await uow.session.execute(
            update(submissions)
            .where(submissions.c.interchange_number == number, submissions.c.status == "pending")
            .values(not_before=datetime.now(UTC) + min(wait, MAX_WAIT))
        )
        await uow.commit()


async def _record(make_uow: Callable[[], UnitOfWork], number: int, status: str, *, acknowledgments: list[str]) -> None:
    """The clearinghouse has the interchange: its claims are submitted, and its 999s are stored to be applied."""
    async with make_uow() as uow:
        await uow.session.execute(
            update(submissions)
            .where(submissions.c.interchange_number == number)
            .values(status=status, acknowledgment="\n".join(acknowledgments) or None, sent_at=datetime.now(UTC))
        )
        sent = await claims_of(uow, number)
        detail = {} if acknowledgments else {"acknowledgment": "not received"}
        await transition_many(uow, [c.id for c in sent], "submitted", [{"interchange": number, **detail}] * len(sent))
        for claim in sent:
            uow.publish(events.ClaimSubmitted(**event_identity(claim), interchange_control_number=str(number)))
        await inbound.store(uow, [("999", f"interchange:{number}:{n}", text) for n, text in enumerate(acknowledgments)])
        await uow.commit()


async def quarantine(
    make_uow: Callable[[], UnitOfWork], number: int, reason: str, *, status: str = "quarantined"
) -> None:
    """The interchange cannot go out: kept with its reason for operators; its claims return to the work queue."""
    async with make_uow() as uow:
        await uow.session.execute(
            update(submissions)
            .where(submissions.c.interchange_number == number)
            .values(status=status, reason=reason[:300], not_before=None)
        )
        stuck = await claims_of(uow, number)
        why = Reason(rule=f"interchange.{status}", field="interchange", message=reason[:300])
        await hold_many(uow, stuck, [[why]] * len(stuck))
        await uow.commit()


async def claims_of(uow: UnitOfWork, number: int) -> list[Row[Any]]:
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
        note=claim.correction_note,
    )


def _transaction_numbers(to_send: list[ClaimToSend]) -> dict[str, str]:
    """ST02 per billing provider, in the order build_837 writes them."""
    order: list[str] = []
    for item in to_send:
        if item.charges.billing_provider.npi not in order:
            order.append(item.charges.billing_provider.npi)
    return {npi: f"{n:04d}" for n, npi in enumerate(order, start=1)}


async def read_statuses(make_uow: Callable[[], UnitOfWork], gateway: Gateway) -> int:
    """Collect the inbox's 277CAs (stored, then removed from the inbox) and apply what is pending."""
    await inbound.collect(make_uow, gateway)
    return await inbound.apply_pending(make_uow)
