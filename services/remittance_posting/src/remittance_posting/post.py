"""Posting one 835 transaction set (a remittance), in the caller's transaction: balanced or held, its claim payments
matched to claims and posted or queued as exceptions, its PLB amounts on the provider ledger, and the events.

Matching is by CLP01 (our CLM01), else by the payer's claim number (CLP07) among the claims of the 835's payer
(`uow.claims.claims_for`). A reversal (CLP02 22) takes back only the posting it names. The payment's
payer is the claim's, unless the 835 comes from another payer (a crossover), decided from the 835's payer id
(domain).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from claimstream_platform.contracts import remittance_posting as events
from claimstream_platform.dates import business_date

from remittance_posting import era
from remittance_posting.balance import imbalances
from remittance_posting.domain import REVERSAL, RemittanceStatus, from_another_payer, outcome, posting_events
from remittance_posting.known import KnownClaim
from remittance_posting.model import StoredPayment, StoredRemittance
from remittance_posting.provider_ledger import post_ledger
from remittance_posting.repository import PostingWork
from remittance_posting.variance import TOLERANCE, RateKey, Variance, variances

Owner = tuple[UUID | None, UUID | None]
Matched = list[tuple[era.ClaimPayment, KnownClaim | None]]


def payer_of(remittance: era.Remittance) -> str:
    """The 835's payer: its id (1000A N1*PR N104 or REF*2U), else the trace's originator, else its name."""
    return remittance.payer_id or remittance.trace_originator or remittance.payer_name


@dataclass(frozen=True)
class Sender:
    """Who sent a remittance, as posting tells payers apart: the 835's own payer id (empty when it names none), the
    name posting files it under (payer_of), and the payment's date."""

    payer_id: str
    label: str
    paid_on: date | None


def sender_of(remittance: era.Remittance) -> Sender:
    return Sender(remittance.payer_id, payer_of(remittance), remittance.paid_on)


def sender_of_row(row: Any) -> Sender:
    """A stored remittance's sender: its stored payer is the 835's own id unless it is the trace's originator or
    the payer's name, what posting files an 835 under when it names no payer id."""
    named = row.payer_id not in (row.trace_originator, row.payer_name)
    return Sender(row.payer_id if named else "", row.payer_id, row.paid_on)


async def post_remittance(uow: PostingWork, file_id: UUID, remittance: era.Remittance, tenant_id: UUID | None) -> UUID:
    """Store the remittance and, when it balances and was not posted before, post it. Returns its id."""
    matched, by_number = await _matched(uow, remittance, tenant_id)
    references = [a.reference for a in remittance.provider_adjustments if a.reference in by_number]
    claims = [claim for _, claim in matched if claim is not None] or [by_number[r] for r in references]
    owner = _owner(tenant_id, claims)  # a PLB-only 835 belongs to whoever owns the claims it names
    problems = [p.as_dict() for p in imbalances(remittance)]
    status = await _status(uow, remittance, problems)
    stored = StoredRemittance(remittance, payer_of(remittance), owner, status, problems)
    remittance_id = await uow.posting.add_remittance(file_id, stored)
    if status == RemittanceStatus.POSTED:
        await _post_claims(uow, remittance_id, remittance, matched, owner)
        await post_ledger(uow, remittance_id, remittance, owner, by_number)
    if owner[0] is not None:
        uow.publish(_received(remittance_id, stored))
    return remittance_id


async def _matched(
    uow: PostingWork, remittance: era.Remittance, tenant_id: UUID | None
) -> tuple[Matched, dict[str, KnownClaim]]:
    references = [a.reference for a in remittance.provider_adjustments if a.reference]
    by_pcn, by_number = await uow.claims.claims_for(
        (c.patient_control_number for c in remittance.claims),
        [*(c.payer_claim_number for c in remittance.claims), *references],
        tenant_id=tenant_id,
        payer_id=remittance.payer_id,
    )
    matched = [
        (p, by_pcn.get(p.patient_control_number) or by_number.get(p.payer_claim_number)) for p in remittance.claims
    ]
    return matched, by_number


def _owner(tenant_id: UUID | None, claims: Sequence[KnownClaim]) -> Owner:
    """The remittance's tenant and practice: the uploader's, else those of its matched claims when they agree."""
    tenants = {c.tenant_id for c in claims}
    practices = {c.practice_id for c in claims}
    tenant = tenant_id or (tenants.pop() if len(tenants) == 1 else None)
    return tenant, practices.pop() if len(practices) == 1 and tenant is not None else None


async def _status(uow: PostingWork, remittance: era.Remittance, problems: Sequence[object]) -> RemittanceStatus:
    payer = payer_of(remittance)
    if await uow.posting.trace_posted(remittance.trace_originator, remittance.trace_number, payer):
        return RemittanceStatus.DUPLICATE
    return RemittanceStatus.HELD if problems else RemittanceStatus.POSTED


def _received(remittance_id: UUID, stored: StoredRemittance) -> events.RemittanceReceived:
    r, (tenant_id, practice_id) = stored.remittance, stored.owner
    assert tenant_id is not None
    return events.RemittanceReceived(
        tenant_id=tenant_id,
        practice_id=practice_id,
        remittance_id=remittance_id,
        payer_id=stored.payer_id,
        trace_number=r.trace_number,
        total=r.total,
        claims=len(r.claims),
        balanced=not stored.imbalances,
    )


async def _post_claims(
    uow: PostingWork, remittance_id: UUID, remittance: era.Remittance, matched: Matched, owner: Owner
) -> None:
    stored, rates, renumbered = [], Rates(), {}
    for payment, claim in matched:
        if claim is None:
            stored.append(_unmatched(uow, remittance_id, remittance, payment, owner))
            continue
        posting = await publish_posting(uow, remittance_id, sender_of(remittance), payment, claim, rates)
        stored.append(StoredPayment(payment, claim, owner, posting["outcome"], posting, _matched_by(payment, claim)))
        if payment.status == REVERSAL:
            await uow.posting.reverse_posting(claim.claim_id, payer_of(remittance), payment.payer_claim_number)
        elif not from_another_payer(payment, claim, remittance.payer_id):
            # numbered (or renumbered, reprocessing): the latest CLP07 is the one later 835s and PLBs name; a
            # crossover payer's number is not the one our payer's 835s and PLBs name
            if payment.payer_claim_number not in ("", claim.payer_claim_number):
                renumbered[claim.claim_id] = payment.payer_claim_number[:50]
    await uow.claims.set_payer_claim_numbers(renumbered)
    await uow.variance.end_silences([(c.tenant_id, c.payer_id) for _, c in matched if c is not None])
    await uow.posting.add_claim_payments(remittance_id, stored)


def _unmatched(
    uow: PostingWork, remittance_id: UUID, remittance: era.Remittance, payment: era.ClaimPayment, owner: Owner
) -> StoredPayment:
    """A claim payment no claim of ours matches: queued with the reason (and announced when its tenant is known)."""
    reason = f"no claim with patient control number {payment.patient_control_number[:38]}"
    if owner[0] is not None:
        unmatched = events.RemittanceUnmatched(
            tenant_id=owner[0],
            practice_id=owner[1],
            remittance_id=remittance_id,
            patient_control_number=payment.patient_control_number[:38],
            payer_claim_number=payment.payer_claim_number or None,
            paid=payment.paid,
            reason=reason,
        )
        uow.publish(unmatched)
    on = remittance.paid_on or business_date()
    return StoredPayment(payment, None, owner, outcome(payment, on), reason=reason)


def _matched_by(payment: era.ClaimPayment, claim: KnownClaim) -> str:
    if claim.patient_control_number == payment.patient_control_number:
        return "patient_control_number"
    return "payer_claim_number"


async def publish_posting(
    uow: PostingWork,
    remittance_id: UUID,
    sender: Sender,
    payment: era.ClaimPayment,
    claim: KnownClaim,
    rates: "Rates",
) -> dict[str, Any]:
    """Announce the claim payment's posting and what it causes, and its variances; returns the posting as
    stored with the claim payment (its outcome, and each adjustment with its class)."""
    posted, consequences = posting_events(
        remittance_id, sender.paid_on, payment, claim, era_payer_id=sender.payer_id, era_payer_label=sender.label
    )
    uow.publish(posted)
    for event in consequences:
        uow.publish(event)
    if not from_another_payer(payment, claim, sender.payer_id):  # contract rates are the claim's payer's
        found = variances(payment, claim, posted.outcome, await rates.on(uow, claim), TOLERANCE)
        await uow.variance.add_variances(remittance_id, claim, found)
        for variance in found:
            uow.publish(_variance_detected(remittance_id, claim, variance))
    return posted.model_dump(mode="json", include={"outcome", "adjustments", "lines", "remarks", "forwarded"})


def _variance_detected(remittance_id: UUID, claim: KnownClaim, variance: Variance) -> events.PaymentVarianceDetected:
    return events.PaymentVarianceDetected(
        tenant_id=claim.tenant_id,
        practice_id=claim.practice_id,
        remittance_id=remittance_id,
        claim_id=claim.claim_id,
        patient_control_number=claim.patient_control_number,
        payer_id=claim.payer_id,
        line_number=variance.line_number,
        code=variance.code,
        paid_code=variance.paid_code,
        kind=variance.kind,
        expected=variance.expected,
        allowed=variance.allowed,
        difference=variance.difference,
        reasons=list(variance.reasons),
    )


class Rates:
    """Contract rates read once per practice, payer and date of service within one remittance."""

    def __init__(self) -> None:
        self._read: dict[tuple[UUID, UUID | None, str, date], dict[RateKey, Decimal]] = {}

    async def on(self, uow: PostingWork, claim: KnownClaim) -> dict[RateKey, Decimal]:
        key = (claim.tenant_id, claim.practice_id, claim.payer_id, claim.service_date)
        if key not in self._read:
            self._read[key] = await uow.variance.rates_on(*key)
        return self._read[key]
