"""Posting 835s, in the caller's transaction: a file received (the inbox or an upload), each remittance balanced
and posted claim by claim, the provider ledger written; and a claim payment that waited in the exceptions queue
posted when its claim arrives or a user assigns it.

The same file twice (its SHA-256) from the same uploader (a tenant, or the clearinghouse inbox) is recognised and
posts nothing; the same payer trace (TRN) to the same tenant and payee under another file is stored as a duplicate
and posts nothing. Neither key reaches across tenants: another tenant's bytes or trace numbers never make a file
or remittance a duplicate. A remittance that does not balance is held with its differences and
posts nothing. An unreadable file uploaded by a user is refused (422) with the segment, position and reason, and
nothing is stored; one from the inbox is kept, rejected with its reason, for operators.
"""

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from claimstream_platform.auth import Principal
from claimstream_platform.contracts import claim_submission as claim_events
from claimstream_platform.contracts import remittance_posting as events
from claimstream_platform.errors import NotFound, RuleViolation
from claimstream_platform.messaging.consumer import Delivery
from claimstream_platform.x12 import X12Error

from remittance_posting import era
from remittance_posting.domain import REVERSAL
from remittance_posting.known import KnownClaim, KnownLine
from remittance_posting.post import Rates, post_payment, post_remittance, trace_of
from remittance_posting.remittance import RemittancePosting, sender_of_row
from remittance_posting.repository import PostingWork
from remittance_posting.repository.reads import may_see


@dataclass
class FileReceipt:
    file_id: UUID
    duplicate: bool  # these bytes were received before: nothing posted again
    remittance_ids: list[UUID] = field(default_factory=list)
    rejected: str | None = None  # why the file could not be read (inbox files only)


async def receive(
    uow: PostingWork,
    text: str,
    *,
    source: str,
    tenant_id: UUID | None,
    practice_ids: frozenset[UUID] | None = None,
) -> FileReceipt:
    """Store and post one 835 file. `tenant_id` is the uploader's (its claims only, of `practice_ids` when its
    token is limited to practices); None for the inbox."""
    sha256 = hashlib.sha256(text.encode()).hexdigest()
    earlier = await uow.posting.file_by_hash(tenant_id, sha256)
    if earlier is not None:
        return FileReceipt(earlier.id, duplicate=True)
    try:
        read = era.read_file(text)
    except X12Error as error:
        if tenant_id is not None:
            raise RuleViolation(f"the 835 cannot be read: {error}", field="body") from None
        return await _rejected(uow, text, sha256, source, str(error))
    file_id = uuid4()
    if not await uow.posting.store_file(file_id, tenant_id, source, sha256, text):
        return FileReceipt(file_id, duplicate=True)  # another worker stored it a moment ago
    traces = [(remittance.payee_npi[:10], trace_of(remittance)) for remittance in read]
    await uow.posting.hold(traces=traces, control_numbers=(c.patient_control_number for r in read for c in r.claims))
    receipt = FileReceipt(file_id, duplicate=False)
    for remittance in read:
        receipt.remittance_ids.append(await post_remittance(uow, file_id, remittance, tenant_id, practice_ids))
    return receipt


async def reject_file(uow: PostingWork, text: str, *, source: str, reason: str) -> FileReceipt:
    """Keep a clearinghouse file that cannot be posted, with its reason, for operators."""
    return await _rejected(uow, text, hashlib.sha256(text.encode()).hexdigest(), source, reason)


async def reject_unread(uow: PostingWork, text: str, *, source: str) -> FileReceipt:
    """A clearinghouse file larger than any 835 we read: kept with its reason and hash but not its content (nobody
    read it), as an upload that large is refused. Hashed a megabyte at a time: never a second copy of it whole."""
    digest = hashlib.sha256()
    for start in range(0, len(text), 1024 * 1024):
        digest.update(text[start : start + 1024 * 1024].encode())
    reason = f"larger than {era.MAX_FILE_BYTES} bytes: not read"
    return await _rejected(uow, "", digest.hexdigest(), source, reason)


async def _rejected(uow: PostingWork, text: str, sha256: str, source: str, reason: str) -> FileReceipt:
    file_id = uuid4()
    await uow.posting.store_file(file_id, None, source, sha256, text, rejected=reason)
    return FileReceipt(file_id, duplicate=False, rejected=reason)


async def on_claims_created(deliveries: Sequence[Any], uow: PostingWork) -> None:
    """Claims claim submission created: remembered as ours to be paid for, and claim payments that waited in the
    exceptions queue for them are posted now."""
    created = {e.patient_control_number: _known(e) for e in (d.event for d in deliveries) if _is_created(e)}
    # The claims' locks (uow.posting.hold), held by this transaction, which remembers the claims, and not by the short
    # one that posts what waited and commits first: an 835 received meanwhile waits until the claims are known.
    await uow.posting.hold(control_numbers=created)
    await _post_what_waited(uow, created)
    await uow.claims.remember_claims(list(created.values()))  # a claim remembered above stays as it is


def _is_created(event: Any) -> bool:
    return isinstance(event, claim_events.ClaimCreated)


async def _post_what_waited(uow: PostingWork, created: dict[str, KnownClaim]) -> None:
    """An inbox payment that came before its claim has no tenant yet: row-level security hides it from the event's
    tenant, so what waits is found, and posted to the claim's own tenant, across tenants on purpose. That work
    commits on its own as the block ends (`UnitOfWork.across_tenants`), before the consumer's transaction, with the
    claims it posts to remembered in it: a payment is never posted to a claim this service does not know, even if
    the consumer's batch fails for good, and a retry finds the payment posted (no longer unmatched) and the claim
    remembered (a second insert changes nothing), so it posts once."""
    async with uow.across_tenants() as across:
        waiting = [
            (row, claim)
            for row in await across.posting.unmatched_with(created)
            if (claim := created[row.patient_control_number]).tenant_id == row.tenant_id or row.tenant_id is None
        ]  # an upload's payment waits for its own tenant's claim; an inbox payment for any tenant's
        await across.claims.remember_claims([claim for _, claim in waiting])
        for row, claim in waiting:
            await _post_waiting(across, row, claim, "patient_control_number")


def _known(event: claim_events.ClaimCreated) -> KnownClaim:
    """A claim claim submission created, in posting's own model (the edge)."""
    return KnownClaim(
        claim_id=event.claim_id,
        tenant_id=event.tenant_id,
        practice_id=event.practice_id,
        patient_control_number=event.patient_control_number,
        payer_id=event.payer_id,
        payer_claim_number=None,
        lines=tuple(
            KnownLine(line.line_number, line.code, tuple(line.modifiers), line.amount, line.control_number)
            for line in event.lines
        ),
        service_date=event.service_date,
        responsibility=event.responsibility,
    )


async def on_claims_accepted(deliveries: Sequence[Delivery], uow: PostingWork) -> None:
    """The payer accepted these claims: each one's payment is now due (payer silence counts from here), and its
    claim number (277CA) is a fallback for matching CLP07. A run in one statement; a claim accepted twice keeps the
    latest number it was given."""
    numbers: dict[UUID, str | None] = {}
    for event in (d.event for d in deliveries if isinstance(d.event, claim_events.ClaimAccepted)):
        numbers[event.claim_id] = event.payer_claim_number or numbers.get(event.claim_id)
    await uow.claims.accepted(numbers, datetime.now(UTC))  # as they reached us: near enough for days


async def assign(uow: PostingWork, principal: Principal, payment_id: UUID, claim_id: UUID) -> None:
    """A tenant's user says which of its claims one of its unmatched claim payments is for: posted to it now."""
    row = await uow.posting.unmatched_payment(principal, payment_id)
    claim = await uow.claims.known_claim(principal.tenant_id, claim_id)
    if claim is not None and not may_see(principal, claim.tenant_id, claim.practice_id):
        claim = None
    await _assign(uow, row, claim)


async def assign_across_tenants(uow: PostingWork, payment_id: UUID, claim_id: UUID) -> None:
    """An installation operator's: any unmatched claim payment, a tenant's or no tenant's, to the claim named."""
    row = await uow.posting.unmatched_payment_across_tenants(payment_id)
    await _assign(uow, row, await uow.claims.known_claim_across_tenants(claim_id))


async def _assign(uow: PostingWork, row: Any, claim: KnownClaim | None) -> None:
    """The payment takes its claim's tenant; one that is already a tenant's goes only to that tenant's claims."""
    if row is None:
        raise NotFound("no unmatched claim payment with this id")
    if claim is None:
        raise NotFound("claim not found", field="claim_id")
    if row.tenant_id is not None and row.tenant_id != claim.tenant_id:
        raise RuleViolation("the payment is another tenant's: it goes only to that tenant's claims", field="claim_id")
    await _post_waiting(uow, row, claim, "assigned")


async def _post_waiting(uow: PostingWork, row: Any, claim: KnownClaim, matched_by: str) -> None:
    """A claim payment that waited in the exceptions queue, posted to its claim now on its remittance."""
    remittance = RemittancePosting(row.remittance_id, sender_of_row(await uow.posting.remittance_of(row.remittance_id)))
    payment = era.payment_from_json(row.detail)
    posting = await post_payment(uow, remittance, payment, claim, Rates())
    await uow.posting.mark_matched(row.id, claim, matched_by, posting)
    if payment.status == REVERSAL:
        await uow.posting.reverse_posting(claim.claim_id, remittance.sender.label, payment.payer_claim_number)
    await uow.variance.end_silences([(claim.tenant_id, claim.payer_id)])
    uow.publish_recorded(remittance)


@dataclass(frozen=True)
class PayerRefund:
    """What a biller sent a payer back of what it overpaid on a claim, on its request."""

    payer_id: str
    amount: Decimal
    reference: str  # the check's number or the payer's request reference
    sent_on: date


async def send_payer_refund(uow: PostingWork, principal: Principal, claim_id: UUID, refund: PayerRefund) -> UUID:
    """Recorded and announced (the ledger takes it as money the payer has back); never more than the payer's
    overpayment still open on the claim. The claim is locked: two refunds of it at once cannot both fit."""
    claim = await uow.claims.lock(principal.tenant_id, claim_id)
    over = await uow.ledger.overpaid_on(principal, claim_id, refund.payer_id) if claim is not None else None
    if over is None:
        raise NotFound("no open overpayment of this payer on this claim", field="claim_id")
    if refund.amount > over.overpaid:
        raise RuleViolation(f"at most what the payer overpaid and has not had back ({over.overpaid})", field="amount")
    refund_id, base = uuid4(), {"tenant_id": principal.tenant_id, "practice_id": over.practice_id}
    row = {"id": refund_id, **base, "claim_id": claim_id, **vars(refund), "sent_by": principal.subject}
    await uow.ledger.add_payer_refund(row)
    uow.publish(events.PayerRefundSent(**base, claim_id=claim_id, refund_id=refund_id, **vars(refund)))
    return refund_id
