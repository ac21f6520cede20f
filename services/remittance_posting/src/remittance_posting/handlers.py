"""Posting 835s, in the caller's transaction: a file received (the inbox or an upload), each remittance balanced
and posted claim by claim, the provider ledger written; and a claim payment that waited in the exceptions queue
posted when its claim arrives or a user assigns it.

The same file twice (its SHA-256) is recognised and posts nothing; the same payer trace (TRN) under another file
is stored as a duplicate and posts nothing. A remittance that does not balance is held with its differences and
posts nothing. An unreadable file uploaded by a user is refused (422) with the segment, position and reason, and
nothing is stored; one from the inbox is kept, rejected with its reason, for operators.
"""

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from claimstream_platform.auth import Principal
from claimstream_platform.contracts import claim_submission as claim_events
from claimstream_platform.db import UnitOfWork
from claimstream_platform.errors import NotFound, RuleViolation
from claimstream_platform.x12 import X12Error

from remittance_posting import era
from remittance_posting.domain import REVERSAL
from remittance_posting.known import KnownClaim, KnownLine
from remittance_posting.post import Rates, post_remittance, publish_posting, sender_of_row
from remittance_posting.repository import claims as known_store
from remittance_posting.repository import posting as repository
from remittance_posting.repository import reads
from remittance_posting.repository import variance as variance_store


@dataclass
class FileReceipt:
    file_id: UUID
    duplicate: bool  # these bytes were received before: nothing posted again
    remittance_ids: list[UUID] = field(default_factory=list)
    rejected: str | None = None  # why the file could not be read (inbox files only)


async def receive(uow: UnitOfWork, text: str, *, source: str, tenant_id: UUID | None) -> FileReceipt:
    """Store and post one 835 file. `tenant_id` is the uploader's (its claims only); None for the inbox."""
    sha256 = hashlib.sha256(text.encode()).hexdigest()
    earlier = await repository.file_by_hash(uow, sha256)
    if earlier is not None:
        return FileReceipt(earlier.id, duplicate=True)
    try:
        read = era.read_file(text)
    except X12Error as error:
        if tenant_id is not None:
            raise RuleViolation(f"the 835 cannot be read: {error}", field="body") from None
        return await _rejected(uow, text, sha256, source, str(error))
    file_id = uuid4()
    if not await repository.store_file(uow, file_id, tenant_id, source, sha256, text):
        return FileReceipt(file_id, duplicate=True)  # another worker stored it a moment ago
    receipt = FileReceipt(file_id, duplicate=False)
    for remittance in read:
        receipt.remittance_ids.append(await post_remittance(uow, file_id, remittance, tenant_id))
    return receipt


async def reject_file(uow: UnitOfWork, text: str, *, source: str, reason: str) -> FileReceipt:
    """Keep a clearinghouse file that cannot be posted, with its reason, for operators."""
    return await _rejected(uow, text, hashlib.sha256(text.encode()).hexdigest(), source, reason)


async def _rejected(uow: UnitOfWork, text: str, sha256: str, source: str, reason: str) -> FileReceipt:
    file_id = uuid4()
    await repository.store_file(uow, file_id, None, source, sha256, text, rejected=reason)
    return FileReceipt(file_id, duplicate=False, rejected=reason)


async def on_claims_created(deliveries: Sequence[Any], uow: UnitOfWork) -> None:
    """Claims claim submission created: remembered as ours to be paid for, and claim payments that waited in the
    exceptions queue for them are posted now."""
    created = [d.event for d in deliveries if isinstance(d.event, claim_events.ClaimCreated)]
    await known_store.remember_claims(uow, [_known(event) for event in created])
    waiting = await repository.unmatched_with(uow, (event.patient_control_number for event in created))
    control_numbers = [row.patient_control_number for row in waiting]
    by_pcn, _ = await known_store.claims_for(uow, control_numbers, [], tenant_id=None, payer_id="")
    for row in waiting:
        claim = by_pcn.get(row.patient_control_number)
        if claim is not None and row.tenant_id in (None, claim.tenant_id):  # an upload waits for its own tenant's
            await _post_waiting(uow, row, claim, "patient_control_number")


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


async def on_claim_accepted(event: claim_events.ClaimAccepted, uow: UnitOfWork) -> None:
    """The payer accepted the claim: its payment is now due (payer silence counts from here), and its claim number
    (277CA) is a fallback for matching CLP07."""
    await variance_store.accepted(uow, event.claim_id, datetime.now(UTC))  # as it reached us: near enough for days
    if event.payer_claim_number:
        await known_store.set_payer_claim_number(uow, event.claim_id, event.payer_claim_number)


async def assign(uow: UnitOfWork, principal: Principal, payment_id: UUID, claim_id: UUID) -> None:
    """A user says which claim an unmatched claim payment is for: it is posted to it now."""
    row = await repository.unmatched_payment(uow, principal, payment_id)
    if row is None:
        raise NotFound("no unmatched claim payment with this id")
    claim = await known_store.known_claim(uow, principal.tenant_id, claim_id)
    if claim is None or not reads.may_see(principal, claim.tenant_id, claim.practice_id):
        raise NotFound("claim not found", field="claim_id")
    await _post_waiting(uow, row, claim, "assigned")


async def _post_waiting(uow: UnitOfWork, row: Any, claim: KnownClaim, matched_by: str) -> None:
    """A claim payment that waited in the exceptions queue, posted to its claim now."""
    sender = sender_of_row(await repository.remittance_of(uow, row.remittance_id))
    payment = era.payment_from_json(row.detail)
    posting = await publish_posting(uow, row.remittance_id, sender, payment, claim, Rates())
    await repository.mark_matched(uow, row.id, claim, matched_by, posting)
    if payment.status == REVERSAL:
        await repository.reverse_posting(uow, claim.claim_id, sender.label, payment.payer_claim_number)
    await variance_store.end_silences(uow, [(claim.tenant_id, claim.payer_id)])
