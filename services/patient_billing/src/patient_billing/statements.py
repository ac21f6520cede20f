"""A patient's statement, pure: whether she gets one this cycle, what it lists and asks, and how firmly.

A statement asks for what she owes on the visits the insurance has finished with; a visit the insurance still owes
part of (or has not answered) waits, and a statement that would ask for less than the practice's minimum, or of an
account on hold, is not sent. It lists every visit she owes on, the ones since the last statement marked new, each
with what was charged, what the insurance paid and adjusted and why she owes the rest, in our own words.

Dunning counts from the first statement that asked for her oldest unpaid visit: at 30, 60 and 90 days the tone and
the next step change; a final notice left unpaid 30 days more sends the account to the practice's list for a
decision (collections or write-off), which nothing here ever takes by itself.
"""

from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID

from patient_billing.domain import ZERO, PatientAccount, Visit
from patient_billing.plans import Plan
from patient_billing.wording import explain

STAGES = ((90, "final"), (60, "past_due"), (30, "reminder"), (0, "first"))  # days since first asked
DECISION_AFTER = 120  # days since first asked: the final notice went unanswered
CYCLE_DAYS = 28  # one statement an account at most in this many days, however many runs
TONE = {
    "first": "Here is what you owe after your insurance has paid.",
    "reminder": "A reminder: this balance is still open.",
    "past_due": "Your balance is past due. Please pay it, or call us to set up a payment plan.",
    "final": "Final notice. Please pay or call us within 30 days, before the practice decides what to do next.",
}


@dataclass(frozen=True)
class StatementPolicy:
    cycle_day: int = 1  # the day of the month the practice's statements go out
    minimum_balance: Decimal = Decimal("5.00")  # less than this owed: no statement this cycle
    due_days: int = 21


@dataclass(frozen=True)
class VisitLine:
    encounter_id: UUID
    service_date: date
    charged: Decimal
    insurance_paid: Decimal
    insurance_adjusted: Decimal
    your_share: Decimal
    you_paid: Decimal
    forgiven: Decimal
    owed: Decimal
    why: tuple[tuple[str, Decimal], ...]  # our words for each reason she owes part of it, with its amount
    new: bool  # not on an earlier statement


@dataclass(frozen=True)
class Statement:
    issued_on: date
    due_on: date
    stage: str
    amount_due: Decimal
    visits: tuple[VisitLine, ...]
    held: Decimal  # her money held (unapplied cash, overpaid visits), taken off what is due
    plan: tuple[Decimal, Decimal] | None = None  # her payment plan: a month's installment and what is left on it

    @property
    def tone(self) -> str:
        return TONE[self.stage]


def billable(account: PatientAccount) -> list[Visit]:
    """The visits a statement asks for: something owed on them, and the insurance done with them."""
    return [v for v in account.oldest_first() if v.open > 0 and not v.waiting_for_insurance]


def skipped(account: PatientAccount, policy: StatementPolicy, today: date, *, on_hold: bool) -> str | None:
    """Why the account gets no statement this cycle, or None when it gets one."""
    if on_hold:
        return "on_hold"
    if account.awaiting_decision_since is not None:
        return "awaiting_decision"
    if account.last_statement_on is not None and (today - account.last_statement_on).days < CYCLE_DAYS:
        return "stated_this_cycle"
    owed = sum((v.open for v in billable(account)), ZERO) - account.credit
    if owed <= 0:
        waiting = any(v.open > 0 for v in account.visits.values())
        return "waiting_for_insurance" if waiting else "nothing_owed"
    return "below_minimum" if owed < policy.minimum_balance else None


def stage(first_asked: date | None, today: date) -> str:
    days = (today - first_asked).days if first_asked else 0
    return next(name for after, name in STAGES if days >= after)


def first_asked(account: PatientAccount) -> date | None:
    asked = [v.first_statement_on for v in billable(account) if v.first_statement_on is not None]
    return min(asked, default=None)


def compose(account: PatientAccount, policy: StatementPolicy, today: date, plan: Plan | None = None) -> Statement:
    """The statement; on a payment plan it asks for the installments due (or the next one) and firms only when
    one was missed, since she is paying as agreed."""
    visits = tuple(_line(v) for v in billable(account))
    owed = max(sum((line.owed for line in visits), ZERO) - account.credit, ZERO)  # her cash held, and overpaid
    statement = Statement(
        issued_on=today,
        due_on=today + timedelta(days=policy.due_days),
        stage=stage(first_asked(account), today),
        amount_due=owed,
        visits=visits,
        held=account.credit,
    )
    if plan is None:
        return statement
    installments = plan.due(today) or [i for i in plan.installments if i.due_on > today][:1]
    asked = min(sum((i.amount for i in installments), ZERO), owed)
    firmness = "reminder" if plan.missed(today) else "first"
    return replace(statement, amount_due=asked, stage=firmness, plan=(plan.per_month, plan.left))


def decision_due(account: PatientAccount, today: date, *, on_hold: bool, plan: Plan | None) -> bool:
    """The final notice went unanswered: the account goes to the practice's list (once). Not one on hold, nor one
    paying a plan as agreed."""
    asked = first_asked(account)
    if on_hold or account.awaiting_decision_since is not None or asked is None:
        return False
    keeping_to_a_plan = plan is not None and not plan.missed(today)
    return not keeping_to_a_plan and (today - asked).days >= DECISION_AFTER


def _line(v: Visit) -> VisitLine:
    assert v.word is not None  # billable: the insurance has answered
    word = v.word
    return VisitLine(
        encounter_id=v.encounter_id,
        service_date=word.service_date,
        charged=word.charged,
        insurance_paid=word.insurance_paid,
        insurance_adjusted=word.adjusted,
        your_share=word.share,
        you_paid=v.paid,
        forgiven=v.adjusted,
        owed=v.open,
        why=tuple((explain(group, reason), amount) for group, reason, amount in word.reasons if amount > 0),
        new=v.first_statement_on is None,
    )
