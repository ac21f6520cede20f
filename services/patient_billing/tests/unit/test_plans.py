"""Payment plans, pure: installments by month (the last takes the cents left), what is due and what was missed as
payments come or do not."""

from datetime import date
from decimal import Decimal
from uuid import uuid4

import pytest
from claimstream_platform.errors import RuleViolation
from patient_billing.plans import plan_for

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
