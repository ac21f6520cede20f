"""Posting one 835 transaction set (a remittance), in the caller's transaction: balanced or held, its claim payments
matched to claims and posted or queued as exceptions, its PLB amounts on the provider ledger. The `RemittancePosting`
aggregate records the events (remittance.py); this handler saves what it returns and publishes what it recorded.

Matching is by CLP01 (our CLM01), else by the payer's claim number (CLP07) among the claims of the 835's payer
(`uow.claims.claims_for`). A reversal (CLP02 22) takes back only the posting it names. The payment's
payer is the claim's, unless the 835 comes from another payer (a crossover), decided from the 835's payer id
(domain).
"""

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from claimstream_platform.dates import business_date

from remittance_posting import era
from remittance_posting.balance import imbalances
from remittance_posting.domain import REVERSAL, RemittanceStatus
from remittance_posting.known import KnownClaim
from remittance_posting.model import StoredPayment, StoredRemittance
from remittance_posting.remittance import Owner, RemittancePosting, as_stored, payer_of, sender_of
from remittance_posting.repository import PostingWork
from remittance_posting.variance import RateKey, in_force

Matched = list[tuple[era.ClaimPayment, KnownClaim | None]]


async def post_remittance(
    uow: PostingWork,
    file_id: UUID,
    read: era.Remittance,
    tenant_id: UUID | None,
    practice_ids: frozenset[UUID] | None = None,
) -> UUID:
    """Store the remittance and, when it balances and was not posted before, post it; publish what it recorded.
    Returns its id. An upload matches only its tenant's claims, of the practices its token allows (`practice_ids`,
    None: all): another practice's claim payment waits in the exceptions queue as if its claim were unknown."""
    matched, by_number = await _matched(uow, read, tenant_id, practice_ids)
    references = [a.reference for a in read.provider_adjustments if a.reference in by_number]
    claims = [claim for _, claim in matched if claim is not None] or [by_number[r] for r in references]
    owner = _owner(tenant_id, claims)  # a PLB-only 835 belongs to whoever owns the claims it names
    problems = [p.as_dict() for p in imbalances(read)]
    status = await _status(uow, read, owner[0], problems)
    stored = StoredRemittance(read, payer_of(read), owner, status, problems)
    remittance = RemittancePosting(await uow.posting.add_remittance(file_id, stored), sender_of(read), owner)
    if status == RemittanceStatus.POSTED:
        await _post_claims(uow, remittance, matched)
        await uow.posting.add_provider_adjustments(remittance.on_ledger(read.provider_adjustments, by_number))
    remittance.received(stored)
    uow.publish_recorded(remittance)
    return remittance.id


async def _matched(
    uow: PostingWork, read: era.Remittance, tenant_id: UUID | None, practice_ids: frozenset[UUID] | None
) -> tuple[Matched, dict[str, KnownClaim]]:
    references = [a.reference for a in read.provider_adjustments if a.reference]
    by_pcn, by_number = await uow.claims.claims_for(
        (c.patient_control_number for c in read.claims),
        [*(c.payer_claim_number for c in read.claims), *references],
        tenant_id=tenant_id,
        practice_ids=practice_ids,
        payer_id=read.payer_id,
    )
    matched = [(p, by_pcn.get(p.patient_control_number) or by_number.get(p.payer_claim_number)) for p in read.claims]
    return matched, by_number


def _owner(tenant_id: UUID | None, claims: Sequence[KnownClaim]) -> Owner:
    """The remittance's tenant and practice: the uploader's, else those of its matched claims when they agree."""
    tenants = {c.tenant_id for c in claims}
    practices = {c.practice_id for c in claims}
    tenant = tenant_id or (tenants.pop() if len(tenants) == 1 else None)
    return tenant, practices.pop() if len(practices) == 1 and tenant is not None else None


def trace_of(read: era.Remittance) -> tuple[str, str, str]:
    """The payer's trace (TRN03, TRN02) and the payer, as add_remittance stores them."""
    return read.trace_originator[:20], read.trace_number[:80], payer_of(read)[:80]


async def _status(
    uow: PostingWork, read: era.Remittance, tenant_id: UUID | None, problems: Sequence[object]
) -> RemittanceStatus:
    """A duplicate when its tenant already posted this trace to this payee (N3: never another tenant's trace)."""
    trace = trace_of(read)
    posted = await uow.posting.trace_posted(tenant_id, read.payee_npi[:10], trace)  # this transaction's too
    if not posted and tenant_id is not None:
        # The inbox's remittances have no tenant: the tenant's own role cannot see them, so they are looked up
        # across tenants, in a short transaction of their own (what the inbox posted is committed; nothing here is
        # written), and only they: the query names no tenant.
        async with uow.across_tenants() as across:
            posted = await across.posting.trace_posted(None, read.payee_npi[:10], trace)
    if posted:
        return RemittanceStatus.DUPLICATE
    return RemittanceStatus.HELD if problems else RemittanceStatus.POSTED


async def _post_claims(uow: PostingWork, remittance: RemittancePosting, matched: Matched) -> None:
    stored, rates, renumbered = [], Rates(), {}
    for payment, claim in matched:
        if claim is None:
            stored.append(remittance.unmatched(payment, business_date()))
            continue
        posting = await post_payment(uow, remittance, payment, claim, rates)
        stored.append(
            StoredPayment(payment, claim, remittance.owner, posting["outcome"], posting, _matched_by(payment, claim))
        )
        if payment.status == REVERSAL:
            await uow.posting.reverse_posting(claim.claim_id, remittance.sender.label, payment.payer_claim_number)
        elif not remittance.from_another_payer(payment, claim):
            # numbered (or renumbered, reprocessing): the latest CLP07 is the one later 835s and PLBs name; a
            # crossover payer's number is not the one our payer's 835s and PLBs name
            if payment.payer_claim_number not in ("", claim.payer_claim_number):
                renumbered[claim.claim_id] = payment.payer_claim_number[:50]
    await uow.claims.set_payer_claim_numbers(renumbered)
    await uow.variance.end_silences([(c.tenant_id, c.payer_id) for _, c in matched if c is not None])
    await uow.posting.add_claim_payments(remittance.id, stored)


def _matched_by(payment: era.ClaimPayment, claim: KnownClaim) -> str:
    if claim.patient_control_number == payment.patient_control_number:
        return "patient_control_number"
    return "payer_claim_number"


async def post_payment(
    uow: PostingWork, remittance: RemittancePosting, payment: era.ClaimPayment, claim: KnownClaim, rates: "Rates"
) -> dict[str, Any]:
    """Post the claim payment on the remittance (which records its events) and save its variances; returns the
    posting as stored with the claim payment (its outcome, and each adjustment with its class)."""
    posted = remittance.post(payment, claim)
    if not remittance.from_another_payer(payment, claim):  # contract rates are the claim's payer's
        found = remittance.check_rates(payment, claim, posted, await rates.on(uow, claim))
        await uow.variance.add_variances(remittance.id, claim, found)
    return as_stored(posted)


class Rates:
    """Contract rates read once per practice and payer within one remittance, each claim's those in force on its
    date of service."""

    def __init__(self) -> None:
        self._read: dict[tuple[UUID, UUID, str], list[tuple[RateKey, date, Decimal]]] = {}

    async def on(self, uow: PostingWork, claim: KnownClaim) -> dict[RateKey, Decimal]:
        if claim.practice_id is None:
            return {}
        key = (claim.tenant_id, claim.practice_id, claim.payer_id)
        if key not in self._read:
            self._read[key] = await uow.variance.rate_versions(*key)
        return in_force(self._read[key], claim.service_date)
