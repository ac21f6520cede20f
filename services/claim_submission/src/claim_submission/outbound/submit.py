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
from uuid import UUID

from claimstream_platform.contracts import Reason
from claimstream_platform.engines import is_transient

from claim_submission.domain.claim import Claim
from claim_submission.domain.states import ClaimStatus
from claim_submission.gateway import AlreadyReceived, CredentialRefused, Gateway, Refused
from claim_submission.handlers import store
from claim_submission.inbound import documents as inbound
from claim_submission.outbound import submitters as submitter
from claim_submission.outbound.x837 import (
    ClaimToSend,
    Party,
    Submitter,
    WrittenClaim,
    assemble,
    transaction_controls,
    write_claim,
)
from claim_submission.repository import ClaimWork

log = logging.getLogger(__name__)
BATCH_LIMIT = 2000
LEASE = timedelta(minutes=2)  # longer than a send with its retries; a crashed sender's lease runs out
MAX_WAIT = timedelta(minutes=10)  # the longest pause after repeated outages


@dataclass(frozen=True)
class Envelope:
    receiver: Party
    usage: str = "P"
    default_submitter: Submitter | None = None  # for tenants with no submitter of their own (submitter.py)


async def batch(uow: ClaimWork, envelope: Envelope, *, now: datetime | None = None) -> int:
    """Bind ready claims to new interchanges; returns how many claims were batched. Commits."""
    now = now or datetime.now(UTC)
    async with uow:
        ready = await uow.claims.ready_to_batch(BATCH_LIMIT)
        senders = await _senders(uow, ready, envelope)
        unsendable = [claim for claim in ready if claim.tenant_id not in senders]
        for claim in unsendable:
            claim.hold([submitter.not_configured()])
        written, unwritable = _written([claim for claim in ready if claim.tenant_id in senders])
        for claim, error in unwritable:
            claim.hold([_unwritable(error)])
        await store(uow, [*unsendable, *(claim for claim, _ in unwritable)])
        groups: dict[tuple[UUID, str], list[tuple[Claim, WrittenClaim]]] = defaultdict(list)
        for claim, item in written:
            groups[(claim.tenant_id, claim.payer_id)].append((claim, item))
        for (tenant_id, payer_id), members in groups.items():
            await _bind(uow, tenant_id, payer_id, members, (senders[tenant_id], envelope), now)
        await uow.commit()
    return len(written)


async def _senders(uow: ClaimWork, ready: Sequence[Claim], envelope: Envelope) -> dict[UUID, Submitter]:
    """Each tenant's submitter, or the installation's default; a tenant with neither is left out."""
    own = await submitter.of_tenants(uow, (claim.tenant_id for claim in ready))
    default = envelope.default_submitter
    return {
        tenant: own.get(tenant) or default  # type: ignore[misc]
        for tenant in {claim.tenant_id for claim in ready}
        if tenant in own or default is not None
    }


def _written(ready: Sequence[Claim]) -> tuple[list[tuple[Claim, WrittenClaim]], list[tuple[Claim, Exception]]]:
    """Each claim's loops, written once; a claim whose stored content cannot be written is set aside with its
    error, so it cannot stop the batch."""
    written: list[tuple[Claim, WrittenClaim]] = []
    failed: list[tuple[Claim, Exception]] = []
    for claim in ready:
        try:
            written.append((claim, write_claim(_to_send(claim))))
        except Exception as error:  # stored content that no longer validates or writes: a data problem
            failed.append((claim, error))
    return written, failed


async def _bind(
    uow: ClaimWork,
    tenant_id: UUID,
    payer_id: str,
    members: list[tuple[Claim, WrittenClaim]],
    envelope: tuple[Submitter, Envelope],
    now: datetime,
) -> None:
    """One interchange for the tenant's claims to the payer, its text made once and stored with them (a claim's
    own copy is read from it: `copies.py`)."""
    items = [item for _, item in members]
    number = await uow.interchanges.create(tenant_id, payer_id, lambda n: _interchange(items, envelope, str(n), now))
    controls = transaction_controls(items)
    claims = [claim for claim, _ in members]
    for claim, item in members:
        claim.bind(number, controls[item.claim.content.billing_provider.npi])
    await uow.claims.store_binding(claims)


def _interchange(items: list[WrittenClaim], envelope: tuple[Submitter, Envelope], control: str, now: datetime) -> str:
    sender, common = envelope
    return assemble(
        items, submitter=sender, receiver=common.receiver, control_number=control, now=now, usage=common.usage
    )


def _unwritable(error: Exception) -> Reason:
    return Reason(rule="x12.unwritable", field="claim", message=f"the claim cannot be written: {type(error).__name__}")


async def send(make_uow: Callable[[], ClaimWork], gateway: Gateway) -> int:
    """Send every pending interchange that is due; returns how many were answered. Stops at the first outage
    (the clearinghouse is away for all); raises CredentialRefused for an operator to act on."""
    async with make_uow() as uow:
        due = await uow.interchanges.due()
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


async def _take(make_uow: Callable[[], ClaimWork], number: int) -> str | None:
    """Lease a due interchange for one send; its content, or None when it is not due or taken."""
    async with make_uow() as uow:
        content = await uow.interchanges.take(number, LEASE)
        await uow.commit()
    return content


async def _release_lease(make_uow: Callable[[], ClaimWork], number: int, *, retry_after: float | None) -> None:
    """After an outage: wait the clearinghouse's Retry-After, else back off with the number of attempts."""
    async with make_uow() as uow:
        backoff = timedelta(seconds=2 ** min(await uow.interchanges.attempts(number), 9))
        wait = timedelta(seconds=retry_after) if retry_after is not None else backoff
        await uow.interchanges.wait_until(number, datetime.now(UTC) + min(wait, MAX_WAIT))
        await uow.commit()


async def _record(make_uow: Callable[[], ClaimWork], number: int, status: str, *, acknowledgments: list[str]) -> None:
    """The clearinghouse has the interchange: its claims are submitted, and its 999s are stored to be applied."""
    async with make_uow() as uow:
        await uow.interchanges.set_status(
            number, status, acknowledgment="\n".join(acknowledgments) or None, sent_at=datetime.now(UTC)
        )
        sent = await _claims_of(uow, number)
        for claim in sent:
            claim.submitted(acknowledgment_received=bool(acknowledgments))
        await store(uow, sent)
        answers = [("999", f"interchange:{number}:{n}", text) for n, text in enumerate(acknowledgments)]
        await inbound.store(uow, answers, tenant_id=await uow.interchanges.tenant_of(number))
        await uow.commit()


async def quarantine(
    make_uow: Callable[[], ClaimWork], number: int, reason: str, *, status: str = "quarantined"
) -> None:
    """The interchange cannot go out: kept with its reason for operators; its claims return to the work queue."""
    async with make_uow() as uow:
        await uow.interchanges.set_status(number, status, reason=reason[:300], not_before=None)
        stuck = await _claims_of(uow, number)
        for claim in stuck:
            claim.hold([Reason(rule=f"interchange.{status}", field="interchange", message=reason[:300])])
        await store(uow, stuck)
        await uow.commit()


async def _claims_of(uow: ClaimWork, number: int) -> list[Claim]:
    return await uow.claims.lock_where(statuses=[ClaimStatus.SUBMITTING], interchange_number=number)


def _to_send(claim: Claim) -> ClaimToSend:
    return ClaimToSend(
        patient_control_number=claim.patient_control_number,
        frequency=claim.frequency,
        content=claim.content,
        payer_claim_number=claim.payer_claim_number,
        note=claim.correction_note,
    )


async def read_statuses(make_uow: Callable[[], ClaimWork], gateway: Gateway) -> int:
    """Collect the inbox's 277CAs (stored, then removed from the inbox) and apply what is pending."""
    await inbound.collect(make_uow, gateway)
    return await inbound.apply_pending(make_uow)
