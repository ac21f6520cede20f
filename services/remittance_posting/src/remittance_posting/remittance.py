"""The `RemittancePosting` aggregate: one 835 transaction set as we post it (the 835 as read is `model.Remittance`). Its
methods record what happened, in the order it happened: each claim payment posted (`PaymentPosted` and what it
causes, `domain.posting_events`) with its variances, each claim payment no claim of ours matches, each PLB amount
on the provider ledger, and last the remittance received. The handler saves what the methods return and publishes
what `take_events()` gives it, in the same transaction. Pure.

Who sent it (`Sender`) decides whose payment it is: the claim's payer, unless the 835's own payer id names another
(a crossover, `domain.from_another_payer`).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from claimstream_platform.adjustments import provider_adjustment_kind
from claimstream_platform.contracts import IntegrationEvent
from claimstream_platform.contracts import remittance_posting as contract

from remittance_posting.domain import from_another_payer, outcome, posting_events
from remittance_posting.known import KnownClaim
from remittance_posting.model import ClaimPayment, LedgerEntry, ProviderAdjustment, StoredPayment, StoredRemittance
from remittance_posting.model import Remittance as Read
from remittance_posting.variance import TOLERANCE, RateKey, Variance, variances

Owner = tuple[UUID | None, UUID | None]  # the remittance's tenant and practice, when known


def payer_of(read: Read) -> str:
    """The 835's payer: its id (1000A N1*PR N104 or REF*2U), else the trace's originator, else its name."""
    return read.payer_id or read.trace_originator or read.payer_name


@dataclass(frozen=True)
class Sender:
    """Who sent a remittance, as posting tells payers apart: the 835's own payer id (empty when it names none), the
    name posting files it under (payer_of), and the payment's date."""

    payer_id: str
    label: str
    paid_on: date | None


def sender_of(read: Read) -> Sender:
    return Sender(read.payer_id, payer_of(read), read.paid_on)


def sender_of_row(row: Any) -> Sender:
    """A stored remittance's sender: its stored payer is the 835's own id unless it is the trace's originator or
    the payer's name, what posting files an 835 under when it names no payer id."""
    named = row.payer_id not in (row.trace_originator, row.payer_name)
    return Sender(row.payer_id if named else "", row.payer_id, row.paid_on)


@dataclass
class RemittancePosting:
    """One remittance being posted: its id, who sent it, and its owner (unknown for a claim payment posted later
    from the exceptions queue, whose events name its claim's tenant)."""

    id: UUID
    sender: Sender
    owner: Owner = (None, None)
    events: list[IntegrationEvent] = field(default_factory=list, repr=False, compare=False)

    def post(self, payment: ClaimPayment, claim: KnownClaim) -> contract.PaymentPosted:
        """A claim payment posted to its claim: its `PaymentPosted` and what that causes (reversal, denials)."""
        posted, consequences = posting_events(
            self.id,
            self.sender.paid_on,
            payment,
            claim,
            era_payer_id=self.sender.payer_id,
            era_payer_label=self.sender.label,
        )
        self.events += [posted, *consequences]
        return posted

    def from_another_payer(self, payment: ClaimPayment, claim: KnownClaim) -> bool:
        """A crossover payer's payment: neither renumbers the claim nor is checked against its payer's rates."""
        return from_another_payer(payment, claim, self.sender.payer_id)

    def check_rates(
        self, payment: ClaimPayment, claim: KnownClaim, posted: contract.PaymentPosted, rates: Mapping[RateKey, Decimal]
    ) -> list[Variance]:
        """The claim payment's lines against the contract rates of the claim's payer: each variance recorded."""
        found = variances(payment, claim, posted.outcome, rates, TOLERANCE)
        self.events += [_variance_detected(self.id, claim, variance) for variance in found]
        return found

    def unmatched(self, payment: ClaimPayment, today: date) -> StoredPayment:
        """A claim payment no claim of ours matches: queued with the reason, and recorded when its tenant is known.
        Its outcome is read on the remittance's date, else today's."""
        reason = f"no claim with patient control number {payment.patient_control_number[:38]}"
        tenant_id, practice_id = self.owner
        if tenant_id is not None:
            self.events.append(
                contract.RemittanceUnmatched(
                    tenant_id=tenant_id,
                    practice_id=practice_id,
                    remittance_id=self.id,
                    patient_control_number=payment.patient_control_number[:38],
                    payer_claim_number=payment.payer_claim_number or None,
                    paid=payment.paid,
                    reason=reason,
                )
            )
        on = self.sender.paid_on or today
        return StoredPayment(payment, None, self.owner, outcome(payment, on), reason=reason)

    def on_ledger(
        self, adjustments: Sequence[ProviderAdjustment], by_number: Mapping[str, KnownClaim]
    ) -> list[LedgerEntry]:
        """PLB amounts on the provider ledger, each linked to the claim its reference names when we know it (and
        then that claim's tenant's), and recorded when its tenant is known."""
        entries = []
        for adjustment in adjustments:
            claim = by_number.get(adjustment.reference)
            tenant, practice = (claim.tenant_id, claim.practice_id) if claim else self.owner
            entry = LedgerEntry(self.id, tenant, practice, adjustment, claim.claim_id if claim else None)
            entries.append(entry)
            if tenant is not None:
                self.events.append(_adjustment_posted(entry, tenant, self.sender.paid_on))
        return entries

    def received(self, stored: StoredRemittance) -> None:
        """The remittance stored (posted, held or a duplicate): recorded when its tenant is known."""
        tenant_id, practice_id = self.owner
        if tenant_id is None:
            return
        self.events.append(
            contract.RemittanceReceived(
                tenant_id=tenant_id,
                practice_id=practice_id,
                remittance_id=self.id,
                payer_id=stored.payer_id,
                trace_number=stored.remittance.trace_number,
                total=stored.remittance.total,
                claims=len(stored.remittance.claims),
                balanced=not stored.imbalances,
                method=stored.remittance.method[:10] or None,
                paid_on=stored.remittance.paid_on,
            )
        )

    def take_events(self) -> list[IntegrationEvent]:
        taken, self.events = self.events, []
        return taken


def as_stored(posted: contract.PaymentPosted) -> dict[str, Any]:
    """The posting as stored with its claim payment: its outcome, and each adjustment with its class."""
    return posted.model_dump(mode="json", include={"outcome", "adjustments", "lines", "remarks", "forwarded"})


def _variance_detected(remittance_id: UUID, claim: KnownClaim, variance: Variance) -> contract.PaymentVarianceDetected:
    return contract.PaymentVarianceDetected(
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


def _adjustment_posted(entry: LedgerEntry, tenant: UUID, paid_on: date | None) -> contract.ProviderAdjustmentPosted:
    """Announced with the values the ledger keeps (its columns' widths: an 835's PLB elements are shorter)."""
    adjustment = entry.adjustment
    reason = adjustment.reason[:10]
    return contract.ProviderAdjustmentPosted(
        tenant_id=tenant,
        practice_id=entry.practice_id,
        remittance_id=entry.remittance_id,
        payee_npi=adjustment.provider_id[:80],
        reason=reason,
        reference=adjustment.reference[:80],
        amount=adjustment.amount,
        claim_id=entry.claim_id,
        kind=provider_adjustment_kind(reason),
        paid_on=paid_on,
    )
