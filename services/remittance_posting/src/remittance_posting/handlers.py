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
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from claimstream_platform.auth import Principal
from claimstream_platform.contracts import claim_submission as claim_events
from claimstream_platform.contracts import remittance_posting as events
from claimstream_platform.db import UnitOfWork
from claimstream_platform.errors import NotFound, RuleViolation
from claimstream_platform.x12 import X12Error

from remittance_posting import era
from remittance_posting.balance import imbalances
from remittance_posting.domain import (
    KnownClaim,
    PaymentState,
    RemittanceStatus,
    allowed,
    from_another_payer,
    outcome,
    posting_events,
)
from remittance_posting.provider_ledger import post_ledger
from remittance_posting.repository import posting as repository
from remittance_posting.repository import variance as variance_store
from remittance_posting.variance import TOLERANCE, RateKey, Variance, variances


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
    row = {"id": file_id, "tenant_id": tenant_id, "source": source, "sha256": sha256, "content": text, "status": "read"}
    if not await repository.store_file(uow, row):
        return FileReceipt(file_id, duplicate=True)  # another worker stored it a moment ago
    receipt = FileReceipt(file_id, duplicate=False)
    for remittance in read:
        receipt.remittance_ids.append(await _post_remittance(uow, file_id, remittance, tenant_id))
    return receipt


async def reject_file(uow: UnitOfWork, text: str, *, source: str, reason: str) -> FileReceipt:
    """Keep a clearinghouse file that cannot be posted, with its reason, for operators."""
    return await _rejected(uow, text, hashlib.sha256(text.encode()).hexdigest(), source, reason)


async def _rejected(uow: UnitOfWork, text: str, sha256: str, source: str, reason: str) -> FileReceipt:
    file_id = uuid4()
    await repository.store_file(uow, {"id": file_id, "tenant_id": None, "source": source, "sha256": sha256,
                                      "content": text, "status": "rejected", "reason": reason[:300]})  # fmt: skip
    return FileReceipt(file_id, duplicate=False, rejected=reason)


async def _post_remittance(uow: UnitOfWork, file_id: UUID, remittance: era.Remittance, tenant_id: UUID | None) -> UUID:
    remittance_id = uuid4()
    payer_id = payer_of(remittance)
    references = [a.reference for a in remittance.provider_adjustments if a.reference]
    by_pcn, by_number = await repository.claims_for(
        uow, (c.patient_control_number for c in remittance.claims),
        [*(c.payer_claim_number for c in remittance.claims), *references], tenant_id,
    )  # fmt: skip
    matched = [
        (p, by_pcn.get(p.patient_control_number) or by_number.get(p.payer_claim_number)) for p in remittance.claims
    ]
    # a PLB-only 835 (interest, a recoupment) belongs to whoever owns the claims its adjustments name
    linked = [claim for _, claim in matched if claim is not None] or [
        by_number[r] for r in references if r in by_number
    ]
    owner = _owner(tenant_id, linked)
    problems = imbalances(remittance)
    status = RemittanceStatus.HELD if problems else RemittanceStatus.POSTED
    if await repository.trace_posted(uow, remittance.trace_originator, remittance.trace_number, payer_id):
        status = RemittanceStatus.DUPLICATE
    await repository.insert_rows(uow, "remittances", [_remittance_row(
        remittance_id, file_id, remittance, payer_id, owner, status, [p.as_dict() for p in problems])])  # fmt: skip
    if status == RemittanceStatus.POSTED:
        await _post_claims(uow, remittance_id, remittance, matched, owner)
        await post_ledger(uow, remittance_id, remittance, owner, by_number)
    if owner[0] is not None:
        uow.publish(events.RemittanceReceived(
            tenant_id=owner[0], practice_id=owner[1], remittance_id=remittance_id, payer_id=payer_id,
            trace_number=remittance.trace_number, total=remittance.total, claims=len(remittance.claims),
            balanced=not problems,
        ))  # fmt: skip
    return remittance_id


def payer_of(remittance: era.Remittance) -> str:
    """The 835's payer: its id (1000A REF*2U or N1*PR N104), else the trace's originator, else its name."""
    return remittance.payer_id or remittance.trace_originator or remittance.payer_name


def _owner(tenant_id: UUID | None, claims: Sequence[KnownClaim]) -> tuple[UUID | None, UUID | None]:
    """The remittance's tenant and practice: the uploader's, else those of its matched claims when they agree."""
    tenants = {c.tenant_id for c in claims}
    practices = {c.practice_id for c in claims}
    tenant = tenant_id or (tenants.pop() if len(tenants) == 1 else None)
    return tenant, practices.pop() if len(practices) == 1 and tenant is not None else None


def _remittance_row(
    remittance_id: UUID, file_id: UUID, r: era.Remittance, payer_id: str, owner: tuple[UUID | None, UUID | None],
    status: str, problems: list[dict[str, Any]],
) -> dict[str, Any]:  # fmt: skip
    return {
        "id": remittance_id, "file_id": file_id, "tenant_id": owner[0], "practice_id": owner[1],
        "control_number": r.control_number[:9], "payer_id": payer_id[:80], "payer_name": r.payer_name[:100],
        "trace_number": r.trace_number[:80], "trace_originator": r.trace_originator[:20],
        "payee_npi": r.payee_npi[:10], "total": r.total, "credit": r.credit, "method": r.method[:3],
        "paid_on": r.paid_on, "status": str(status), "imbalances": problems, "claims": len(r.claims),
    }  # fmt: skip


async def _post_claims(
    uow: UnitOfWork, remittance_id: UUID, remittance: era.Remittance,
    matched: list[tuple[era.ClaimPayment, KnownClaim | None]], owner: tuple[UUID | None, UUID | None],
) -> None:  # fmt: skip
    rows, rates, renumbered = [], _Rates(), {}
    for payment, claim in matched:
        if claim is None:
            reason = f"no claim with patient control number {payment.patient_control_number[:38]}"
            rows.append(_payment_row(remittance_id, payment, None, owner, PaymentState.UNMATCHED, reason))
            if owner[0] is not None:
                uow.publish(events.RemittanceUnmatched(
                    tenant_id=owner[0], practice_id=owner[1], remittance_id=remittance_id,
                    patient_control_number=payment.patient_control_number[:38],
                    payer_claim_number=payment.payer_claim_number or None, paid=payment.paid, reason=reason,
                ))  # fmt: skip
            continue
        rows.append(_payment_row(remittance_id, payment, claim, owner, PaymentState.POSTED, None))
        await _publish_posting(uow, remittance_id, payment, claim, rates, paid_on=remittance.paid_on,
                               era_payer_id=payer_of(remittance))  # fmt: skip
        if from_another_payer(payment, claim):
            continue  # a crossover payer's claim number is not the one our payer's 835s and PLBs name
        if payment.status != "22" and payment.payer_claim_number not in ("", claim.payer_claim_number):
            # numbered (or renumbered, reprocessing): the latest CLP07 is the one later 835s and PLBs name
            renumbered[claim.claim_id] = payment.payer_claim_number[:50]
    await repository.set_payer_claim_numbers(uow, renumbered)
    await variance_store.end_silences(uow, [(c.tenant_id, c.payer_id) for _, c in matched if c is not None])
    await repository.reverse_earlier(uow, (c.claim_id for p, c in matched if c is not None and p.status == "22"))
    await repository.insert_rows(uow, "claim_payments", rows)


def _payment_row(
    remittance_id: UUID, payment: era.ClaimPayment, claim: KnownClaim | None,
    owner: tuple[UUID | None, UUID | None], state: str, reason: str | None,
) -> dict[str, Any]:  # fmt: skip
    return {
        "id": uuid4(), "remittance_id": remittance_id,
        "tenant_id": claim.tenant_id if claim else owner[0], "practice_id": claim.practice_id if claim else owner[1],
        "claim_id": claim.claim_id if claim else None, "patient_control_number": payment.patient_control_number[:38],
        "payer_claim_number": payment.payer_claim_number[:50] or None, "claim_status": payment.status[:2],
        "outcome": outcome(payment), "charge": payment.charge, "paid": payment.paid,
        "patient_responsibility": payment.patient_responsibility, "allowed": allowed(payment), "state": str(state),
        "reason": reason, "matched_by": _matched_by(payment, claim), "detail": era.payment_to_json(payment),
    }  # fmt: skip


def _matched_by(payment: era.ClaimPayment, claim: KnownClaim | None) -> str | None:
    if claim is None:
        return None
    return (
        "patient_control_number"
        if claim.patient_control_number == payment.patient_control_number
        else "payer_claim_number"
    )


async def _publish_posting(
    uow: UnitOfWork, remittance_id: UUID, payment: era.ClaimPayment, claim: KnownClaim, rates: "_Rates", *,
    paid_on: date | None, era_payer_id: str,
) -> None:  # fmt: skip
    posted, consequences = posting_events(remittance_id, paid_on, payment, claim, era_payer_id=era_payer_id)
    uow.publish(posted)
    for event in consequences:
        uow.publish(event)
    if from_another_payer(payment, claim):
        return  # the claim's contract rates are its payer's, not the crossover payer's
    found = variances(payment, claim, await rates.on(uow, claim), TOLERANCE)
    await variance_store.add_variances(uow, [_variance_row(remittance_id, claim, v) for v in found])
    for variance in found:
        uow.publish(events.PaymentVarianceDetected(
            tenant_id=claim.tenant_id, practice_id=claim.practice_id, remittance_id=remittance_id,
            claim_id=claim.claim_id, patient_control_number=claim.patient_control_number, payer_id=claim.payer_id,
            line_number=variance.line_number, code=variance.code, paid_code=variance.paid_code, kind=variance.kind,
            expected=variance.expected, allowed=variance.allowed, difference=variance.difference,
            reasons=list(variance.reasons),
        ))  # fmt: skip


class _Rates:
    """Contract rates read once per practice, payer and date of service within one remittance."""

    def __init__(self) -> None:
        self._read: dict[tuple[UUID, UUID | None, str, date], dict[RateKey, Decimal]] = {}

    async def on(self, uow: UnitOfWork, claim: KnownClaim) -> dict[RateKey, Decimal]:
        key = (claim.tenant_id, claim.practice_id, claim.payer_id, claim.service_date)
        if key not in self._read:
            self._read[key] = await variance_store.rates_on(uow, *key)
        return self._read[key]


def _variance_row(remittance_id: UUID, claim: KnownClaim, variance: Variance) -> dict[str, Any]:
    return {
        "tenant_id": claim.tenant_id, "practice_id": claim.practice_id, "claim_id": claim.claim_id,
        "remittance_id": remittance_id, "payer_id": claim.payer_id, "line_number": variance.line_number,
        "code": variance.code[:5], "paid_code": variance.paid_code[:5], "kind": variance.kind,
        "expected": variance.expected, "allowed": variance.allowed, "difference": variance.difference,
        "reasons": list(variance.reasons),
    }  # fmt: skip


async def on_claims_created(deliveries: Sequence[Any], uow: UnitOfWork) -> None:
    """Claims claim submission created: remembered as ours to be paid for, and claim payments that waited in the
    exceptions queue for them are posted now."""
    created = [d.event for d in deliveries if isinstance(d.event, claim_events.ClaimCreated)]
    await repository.remember_claims(uow, [_known_row(event) for event in created])
    waiting = await repository.unmatched_with(uow, (event.patient_control_number for event in created))
    by_pcn, _ = await repository.claims_for(uow, [row.patient_control_number for row in waiting], [], None)
    for row in waiting:
        claim = by_pcn.get(row.patient_control_number)
        if claim is not None and (row.tenant_id is None or row.tenant_id == claim.tenant_id):
            await _post_waiting(uow, row, claim, "patient_control_number")


def _known_row(event: claim_events.ClaimCreated) -> dict[str, Any]:
    return {
        "claim_id": event.claim_id, "tenant_id": event.tenant_id, "practice_id": event.practice_id,
        "patient_control_number": event.patient_control_number, "payer_id": event.payer_id,
        "lines": [line.model_dump(mode="json") for line in event.lines], "service_date": event.service_date,
        "responsibility": event.responsibility,
    }  # fmt: skip


async def on_claim_accepted(event: claim_events.ClaimAccepted, uow: UnitOfWork) -> None:
    """The payer accepted the claim: its payment is now due (payer silence counts from here), and its claim number
    (277CA) is a fallback for matching CLP07."""
    await variance_store.accepted(uow, event.claim_id, datetime.now(UTC))  # as it reached us: near enough for days
    if event.payer_claim_number:
        await repository.set_payer_claim_number(uow, event.claim_id, event.payer_claim_number)


async def assign(uow: UnitOfWork, principal: Principal, payment_id: UUID, claim_id: UUID) -> None:
    """A user says which claim an unmatched claim payment is for: it is posted to it now."""
    row = await repository.unmatched_payment(uow, principal, payment_id)
    if row is None:
        raise NotFound("no unmatched claim payment with this id")
    claim = await repository.known_claim(uow, principal.tenant_id, claim_id)
    if claim is None or not repository.may_see(principal, claim.tenant_id, claim.practice_id):
        raise NotFound("claim not found", field="claim_id")
    await _post_waiting(uow, row, claim, "assigned")


async def _post_waiting(uow: UnitOfWork, row: Any, claim: KnownClaim, matched_by: str) -> None:
    remittance = await repository.remittance_of(uow, row.remittance_id)
    payment = era.payment_from_json(row.detail)
    await repository.mark_matched(uow, row.id, claim, matched_by)
    if payment.status == "22":
        await repository.reverse_earlier(uow, [claim.claim_id])
    await _publish_posting(uow, row.remittance_id, payment, claim, _Rates(), paid_on=remittance.paid_on,
                           era_payer_id=remittance.payer_id)  # fmt: skip
    await variance_store.end_silences(uow, [(claim.tenant_id, claim.payer_id)])
