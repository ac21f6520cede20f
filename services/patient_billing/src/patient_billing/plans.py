"""Payment plans, pure: an amount a month, or a number of months, over what the patient owes when the plan is made;
its installments by due date; which is due, paid or missed on a given day. A plan's payments are the patient's like
any other (applied oldest first); the plan only says when each is expected. Two installments missed (unpaid a grace
period past their due date) default the plan: the account goes back to its statements and their dunning."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_UP, Decimal
from uuid import UUID

from claimstream_platform.errors import RuleViolation

CENT = Decimal("0.01")
MISSED_AFTER_DAYS = 10  # an installment still unpaid this long after its due date is missed
DEFAULT_AFTER_MISSED = 2
MAX_MONTHS = 24
REMIND_DAYS_BEFORE = 5  # a plan without autopay: its patient is emailed this many days before an installment


@dataclass(frozen=True)
class Installment:
    number: int
    due_on: date
    amount: Decimal


@dataclass(frozen=True)
class Plan:
    id: UUID
    total: Decimal
    per_month: Decimal
    first_due: date
    autopay_method: str | None = None  # the processor's card token: charged on each due date
    paid: Decimal = Decimal(0)  # what its installments have brought in so far
    charged_through: int = 0  # autopay: the installments asked of the processor already
    reminded_through: int = 0  # no autopay: the installments she was reminded of already

    @property
    def installments(self) -> list[Installment]:
        count = int((self.total / self.per_month).to_integral_value(ROUND_UP))
        amounts = [self.per_month] * (count - 1) + [self.total - self.per_month * (count - 1)]
        return [Installment(n + 1, _month_after(self.first_due, n), a) for n, a in enumerate(amounts)]

    @property
    def left(self) -> Decimal:
        return self.total - self.paid

    def due(self, today: date) -> list[Installment]:
        """The installments due by today and not covered by what was paid (oldest first)."""
        covered, found = self.paid, []
        for installment in self.installments:
            if installment.due_on > today:
                break
            if covered >= installment.amount:
                covered -= installment.amount
                continue
            found.append(Installment(installment.number, installment.due_on, installment.amount - covered))
            covered = Decimal(0)
        return found

    def to_remind(self, today: date) -> Installment | None:
        """Without autopay: the next installment due within the reminder's days, not paid for yet and not
        reminded of; None when there is none (or the plan charges her card itself)."""
        if self.autopay_method is not None:
            return None
        soon = [i for i in self.due(today + timedelta(days=REMIND_DAYS_BEFORE)) if i.number > self.reminded_through]
        return soon[0] if soon else None

    def missed(self, today: date) -> int:
        return sum(1 for i in self.due(today) if (today - i.due_on).days >= MISSED_AFTER_DAYS)


def plan_for(
    plan_id: UUID, owed: Decimal, first_due: date, *, per_month: Decimal | None, months: int | None, autopay: str | None
) -> Plan:
    """A plan over `owed`: `per_month` dollars, or `months` even installments (the last takes the cents left)."""
    if owed <= 0:
        raise RuleViolation("nothing is owed to spread over a plan", field="account_id")

    if (per_month is None) == (months is None):
        raise RuleViolation("give an amount a month or a number of months, not both", field="per_month")
    if months is not None:
        per_month = (owed / months).quantize(CENT, ROUND_UP)
    assert per_month is not None
    if per_month <= 0 or owed / per_month > MAX_MONTHS:
        raise RuleViolation(f"a plan pays off within {MAX_MONTHS} months", field="per_month")
    return Plan(plan_id, owed, min(per_month, owed), first_due, autopay)


def _month_after(first: date, months: int) -> date:
    if months == 0:
        return first
    year, month = divmod(first.month - 1 + months, 12)
    return first.replace(year=first.year + year, month=month + 1, day=min(first.day, 28))


def reminder(amount: Decimal, due_on: date, pay_at: str | None) -> str:
    """A plan installment's reminder, in plain words: what, by when, and how to pay."""
    online = f"online at\n{pay_at}\n, " if pay_at else ""
    return (
        f"A reminder from your practice: the next installment of your payment plan, ${amount:,.2f}, is due on "
        f"{due_on:%B %d, %Y}.\n\nYou can pay it {online}at the front desk at your next visit, or by calling the "
        "practice at the number on your appointment card.\n\nIf you have paid it already, thank you."
    )
