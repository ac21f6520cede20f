"""Payment plans, pure: installments by month (the last takes the cents left), what is due and what was missed as
payments come or do not."""

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from uuid import uuid4

import pytest
from claimstream_platform.errors import RuleViolation
from patient_billing.plans import REMIND_DAYS_BEFORE, plan_for, reminder

D = Decimal
FIRST = date(2026, 12, 15)


def test_an_amount_a_month_or_a_number_of_months() -> None:
    by_amount = plan_for(uuid4(), D("130.00"), FIRST, per_month=D("50.00"), months=None, autopay=None)
    assert [(i.due_on, i.amount) for i in by_amount.installments] == [
        (date(2026, 12, 15), D("50.00")),
        (date(2027, 1, 15), D("50.00")),
        (date(2027, 2, 15), D("30.00")),
    ]
    by_months = plan_for(uuid4(), D("100.00"), FIRST, per_month=None, months=3, autopay="pm_card_visa")
    assert [i.amount for i in by_months.installments] == [D("33.34"), D("33.34"), D("33.32")]
    with pytest.raises(RuleViolation):
        plan_for(uuid4(), D("100.00"), FIRST, per_month=D("1.00"), months=None, autopay=None)  # 100 months
    with pytest.raises(RuleViolation):
        plan_for(uuid4(), D("100.00"), FIRST, per_month=D("10.00"), months=10, autopay=None)


def test_what_is_due_and_what_was_missed() -> None:
    plan = plan_for(uuid4(), D("130.00"), FIRST, per_month=D("50.00"), months=None, autopay=None)
    assert [i.number for i in plan.due(date(2027, 1, 20))] == [1, 2] and plan.missed(date(2027, 1, 20)) == 1
    part_paid = type(plan)(plan.id, plan.total, plan.per_month, plan.first_due, None, D("70.00"))
    [due] = part_paid.due(date(2027, 1, 20))
    assert (due.number, due.amount) == (2, D("30.00")) and part_paid.left == D("60.00")
    assert part_paid.missed(date(2027, 1, 24)) == 0 and part_paid.missed(date(2027, 1, 25)) == 1


def test_a_plan_without_autopay_is_reminded_of_each_installment_once_days_before() -> None:
    plan = plan_for(uuid4(), D("60.00"), FIRST, per_month=None, months=2, autopay=None)
    assert plan.to_remind(FIRST - timedelta(days=REMIND_DAYS_BEFORE + 1)) is None  # not yet
    upcoming = plan.to_remind(FIRST - timedelta(days=REMIND_DAYS_BEFORE))
    assert upcoming is not None and (upcoming.number, upcoming.amount) == (1, D("30.00"))
    assert replace(plan, reminded_through=1).to_remind(FIRST) is None  # reminded already; the next is a month off
    autopay = plan_for(uuid4(), D("60.00"), FIRST, per_month=None, months=2, autopay="pm_card_visa")
    assert autopay.to_remind(FIRST) is None  # her card is charged: nothing to remind
    said = reminder(D("30.00"), FIRST, "https://pay.example/pay#t")
    assert "$30.00" in said and "December 15, 2026" in said and "https://pay.example/pay#t" in said
