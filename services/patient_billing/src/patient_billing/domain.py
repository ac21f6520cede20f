"""The patient account aggregate, pure: what one patient owes one practice, visit by visit, and what she paid.

A visit's `share` is what the insurance left to the patient (the projection's ledger announces it; the highest
version wins), less her payments applied to it and the adjustments granted: its open amount, negative when she paid
more than that (a copay the payer said was not owed). Cash applied to no visit waits as `unapplied`. Her credit is
that cash and every visit's overpayment, announced when it grows (`CreditBalanceFound`) for a biller to refund or
apply. Every money event carries the account's `standing` after it, for the projection's checksum.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from uuid import UUID, uuid4

from claimstream_platform.contracts import patient_billing as events
from claimstream_platform.errors import NotFound, RuleViolation

from patient_billing.commands import Adjustment, Issued, Payment

ZERO = Decimal("0.00")
SMALL_BALANCE = Decimal("10.00")  # the most a small-balance write-off forgives: what costs more to bill than it is
# Her part of A/R by age in days: from the first statement that asked for a visit, before that from the day the
# insurance left it to her (`hers_since`).
AR_AGES = (("d0_30", 0, 30), ("d31_60", 31, 60), ("d61_90", 61, 90), ("d91_120", 91, 120), ("over_120", 121, None))


Reason = tuple[str, str, Decimal]  # a payer's group code, CARC and amount


@dataclass(frozen=True)
class InsuranceWord:
    """What the insurance has said of a visit, as the ledger announces it (the highest version counts)."""

    service_date: date
    version: int
    share: Decimal  # what it left the patient
    insurance_open: Decimal = ZERO  # what it still owes: a statement waits for it
    charged: Decimal = ZERO
    insurance_paid: Decimal = ZERO
    adjusted: Decimal = ZERO  # the contractual and payment adjustments: nobody owes them
    reasons: tuple[Reason, ...] = ()


@dataclass
class Visit:
    encounter_id: UUID
    word: InsuranceWord | None = None  # None: paid for at the desk before the insurance said anything of it
    paid: Decimal = ZERO
    adjusted: Decimal = ZERO
    first_statement_on: date | None = None  # the first statement that asked for it: her part of A/R ages from it
    hers_since: date | None = None  # the day the insurance first left her something: ages it before a statement

    @property
    def share(self) -> Decimal:
        return self.word.share if self.word else ZERO

    @property
    def service_date(self) -> date | None:
        return self.word.service_date if self.word else None

    @property
    def open(self) -> Decimal:
        return self.share - self.paid - self.adjusted

    @property
    def waiting_for_insurance(self) -> bool:
        return self.word is None or self.word.insurance_open > 0


@dataclass(eq=False)
class PatientAccount:
    id: UUID
    tenant_id: UUID
    practice_id: UUID
    patient_ref: str
    visits: dict[UUID, Visit] = field(default_factory=dict)
    unapplied: Decimal = ZERO
    awaiting_decision_since: date | None = None  # the practice's to decide: collections or a write-off
    last_statement_on: date | None = None
    credit_since: date | None = None  # held a credit since: unclaimed-property ages count from it
    movements: int = 0  # the money events recorded so far: each one's standing numbers it
    _events: list[events.AccountEvent] = field(default_factory=list)

    @property
    def balance(self) -> Decimal:
        """What she owes: every visit's open amount that is above zero."""
        return sum((max(v.open, ZERO) for v in self.visits.values()), ZERO)

    @property
    def credit(self) -> Decimal:
        """Her money the account holds beyond what she owes: unapplied cash, and what she paid on a visit beyond
        the share the insurance left her (a visit it has not answered yet holds a copay, not a credit)."""
        overpaid = (max(-v.open, ZERO) for v in self.visits.values() if v.word is not None)
        return self.unapplied + sum(overpaid, ZERO)

    @property
    def standing(self) -> events.Standing:
        """`held`: her money not against a share: the credit, and copays on visits not answered yet."""
        shares, held = sum((v.share for v in self.visits.values()), ZERO), self.credit + self.prepaid
        return events.Standing(sequence=self.movements, shares=shares, owed=self.balance, held=held)

    @property
    def prepaid(self) -> Decimal:
        """Paid at the desk on visits the insurance has not answered yet: applied when it does."""
        return sum((v.paid for v in self.visits.values() if v.word is None), ZERO)

    def share_changed(self, encounter_id: UUID, word: InsuranceWord, on: date) -> None:
        """The insurance's word on a visit; an older word than the one kept changes nothing."""
        visit = self.visits.setdefault(encounter_id, Visit(encounter_id))
        if visit.word is not None and word.version <= visit.word.version:
            return
        credit, change = self.credit, word.share - visit.share
        visit.word = word
        if word.share > 0 and visit.hers_since is None:
            visit.hers_since = on
        if change:
            self._record(
                events.PatientCharged,
                encounter_id=encounter_id,
                service_date=word.service_date,
                amount=change,
                share=word.share,
            )
        self._credit_moved(credit, on)

    def receive(self, payment: Payment) -> list[events.Applied]:
        """A payment applied to the visit she chose, else to the oldest open visits first; the rest waits."""
        if payment.amount <= 0:
            raise RuleViolation("a payment is more than zero", field="amount")
        credit = self.credit
        applied = self._apply(payment)
        rest = payment.amount - sum((a.amount for a in applied), ZERO)
        self.unapplied += rest
        self._record(
            events.PatientPaymentReceived,
            payment_id=payment.payment_id,
            amount=payment.amount,
            method=payment.method,
            received_on=payment.received_on,
            applied=applied,
            unapplied=rest,
        )
        self._credit_moved(credit, payment.received_on)
        return applied

    def _apply(self, payment: Payment) -> list[events.Applied]:
        if payment.encounter_id is not None:  # all of it to her visit, before its share is known (a copay)
            visit = self.visits.setdefault(payment.encounter_id, Visit(payment.encounter_id))
            visit.paid += payment.amount
            return [events.Applied(encounter_id=visit.encounter_id, amount=payment.amount)]
        left, applied = payment.amount, []
        for visit in self.oldest_first():
            part = min(left, max(visit.open, ZERO))
            if part > 0:
                visit.paid += part
                left -= part
                applied.append(events.Applied(encounter_id=visit.encounter_id, amount=part))
        return applied

    def adjust(self, adjustment: Adjustment) -> None:
        """Forgive part of a visit's open amount, never more than is open."""
        visit = self.visits.get(adjustment.encounter_id)
        if visit is None:
            raise NotFound("no such visit on this account", field="encounter_id")
        if not ZERO < adjustment.amount <= visit.open:
            raise RuleViolation(f"an adjustment is at most what the visit has open ({visit.open})", field="amount")
        if adjustment.kind == "bad_debt" and adjustment.amount != visit.open:
            raise RuleViolation("a bad-debt write-off takes the visit's whole open amount", field="amount")
        if adjustment.kind == "small_balance" and not adjustment.amount == visit.open <= SMALL_BALANCE:
            raise RuleViolation(
                f"a small balance is the visit's whole open amount, at most {SMALL_BALANCE}", field="amount"
            )
        visit.adjusted += adjustment.amount
        if self.balance <= 0:
            self.awaiting_decision_since = None
        self._record(
            events.PatientAdjusted,
            adjustment_id=adjustment.adjustment_id,
            encounter_id=adjustment.encounter_id,
            kind=adjustment.kind,
            amount=adjustment.amount,
            approved_by=adjustment.approved_by,
        )

    def stated(self, statement_id: UUID, issued: Issued) -> None:
        """A statement asked for these visits: each first asked today ages her part of A/R from today."""
        for encounter_id in issued.encounter_ids:
            visit = self.visits[encounter_id]
            visit.first_statement_on = visit.first_statement_on or issued.issued_on
        self.last_statement_on = issued.issued_on
        self._record(events.StatementIssued, statement_id=statement_id, **vars(issued))

    def refer_for_decision(self, today: date) -> None:
        self.awaiting_decision_since = today
        self._record(events.AccountAwaitingDecision, since=today, balance=self.balance)

    def decide(self, decision: str, by: str) -> list[Adjustment]:
        """The practice's decision on a referred account: collections, or what is open written off as bad debt
        (an adjustment per visit, returned to be stored). Either takes it off the list."""
        if self.awaiting_decision_since is None:
            raise RuleViolation("the account is not awaiting a decision", field="decision")
        balance, written = self.balance, []
        if decision == "write_off":
            for visit in self.oldest_first():
                if visit.open > 0:
                    written.append(Adjustment(uuid4(), visit.encounter_id, "bad_debt", visit.open, "bad debt", by))
                    self.adjust(written[-1])
        self.awaiting_decision_since = None
        self._record(events.AccountDecided, decision=decision, balance=balance, decided_by=by)
        return written

    def planned(self, plan_id: UUID, total: Decimal, per_month: Decimal, first_due: date, autopay: bool) -> None:
        fields = {"plan_id": plan_id, "total": total, "per_month": per_month, "first_due": first_due}
        self._record(events.PaymentPlanCreated, **fields, autopay=autopay)

    def plan_ended(self, plan_id: UUID, outcome: str, paid: Decimal) -> None:
        self._record(events.PaymentPlanEnded, plan_id=plan_id, outcome=outcome, paid=paid)

    def announce_standing(self, totals: events.Totals) -> None:
        """Its standing said once more with its totals to date (from this service's records), moving no money: the
        projection counts the events numbered after it on top of them (an installation upgraded from before)."""
        self._record(events.AccountStandingAnnounced, totals=totals)

    def oldest_first(self) -> list[Visit]:
        return sorted(self.visits.values(), key=lambda v: (v.service_date or date.max, str(v.encounter_id)))

    def take_events(self) -> list[events.AccountEvent]:
        taken, self._events = self._events, []
        return taken

    def refund(self, refund_id: UUID, amount: Decimal, method: str, on: date) -> None:
        """Credit paid back: unapplied cash first, then what she overpaid on visits, oldest first."""
        taken = self._take_credit(amount)
        refunded = {"refund_id": refund_id, "amount": amount, "method": method, "taken_from": taken}
        self._record(events.PatientRefunded, **refunded, refunded_on=on)
        self._credit_moved(self.credit + amount, on)

    def refund_failed(self, refund_id: UUID, amount: Decimal, on: date) -> None:
        credit = self.credit
        self.unapplied += amount
        self._record(events.PatientRefundFailed, refund_id=refund_id, amount=amount, failed_on=on)
        self._credit_moved(credit, on)

    def apply_credit(self, encounter_id: UUID, amount: Decimal, on: date) -> None:
        """Credit she holds put toward another visit, at most what that visit has open."""
        visit = self.visits.get(encounter_id)
        if visit is None or visit.word is None:
            raise NotFound("no such answered visit on this account", field="encounter_id")
        if amount > visit.open:
            raise RuleViolation(f"at most what the visit has open ({visit.open})", field="amount")
        taken = self._take_credit(amount)
        visit.paid += amount
        self._record(events.PatientCreditApplied, encounter_id=encounter_id, amount=amount, taken_from=taken)
        self._credit_moved(self.credit + amount, on)

    def _take_credit(self, amount: Decimal) -> list[events.Applied]:
        """Unapplied cash first, then what she overpaid on visits, oldest first; what left each visit."""
        if not ZERO < amount <= self.credit:
            raise RuleViolation(f"more than zero and at most the credit held ({self.credit})", field="amount")
        left, taken = amount - min(amount, self.unapplied), []
        self.unapplied -= amount - left
        for visit in self.oldest_first():
            part = min(left, max(-visit.open, ZERO)) if visit.word is not None else ZERO
            visit.paid -= part
            left -= part
            if part > 0:
                taken.append(events.Applied(encounter_id=visit.encounter_id, amount=part))
        return taken

    def _credit_moved(self, before: Decimal, on: date) -> None:
        """A credit that grew is announced; the day it began is kept, and forgotten when none is left. An account
        she has paid off leaves the practice's decision list."""
        if self.balance <= 0:
            self.awaiting_decision_since = None
        if self.credit > before:
            self._record(events.CreditBalanceFound, credit=self.credit)
        if self.credit > 0 and self.credit_since is None:
            self.credit_since = on
        elif self.credit == 0:
            self.credit_since = None

    def _record(self, event: type[events.AccountEvent], **fields: object) -> None:
        base: dict[str, object] = {"tenant_id": self.tenant_id, "practice_id": self.practice_id, "account_id": self.id}
        if issubclass(event, events.MoneyMoved):
            self.movements += 1
            base["standing"] = self.standing
        self._events.append(event(**base, **fields))
