"""The patient account, pure: shares by version, payments oldest first or to the visit chosen, unapplied cash,
adjustments within what is open, and credit announced only when it grows."""

from datetime import date
from decimal import Decimal
from uuid import UUID, uuid4

import pytest
from claimstream_platform.contracts import patient_billing as events
from claimstream_platform.errors import NotFound, RuleViolation
from patient_billing.commands import Adjustment, Payment
from patient_billing.domain import InsuranceWord, PatientAccount

D = Decimal
TODAY = date(2026, 12, 1)
OLD, NEW = uuid4(), uuid4()


def word(served: date, share: str, version: int = 1) -> InsuranceWord:
    return InsuranceWord(served, version, D(share))


def account() -> PatientAccount:
    a = PatientAccount(uuid4(), uuid4(), uuid4(), "P-1")
    a.share_changed(NEW, word(date(2026, 3, 2), "40.00"), TODAY)
    a.share_changed(OLD, word(date(2026, 2, 1), "25.00"), TODAY)
    a.take_events()
    return a


def pay(a: PatientAccount, amount: str, visit: UUID | None = None) -> list[events.Applied]:
    return a.receive(Payment(uuid4(), D(amount), "cash", date(2026, 4, 1), visit))


def test_a_share_is_charged_by_its_change_and_an_older_version_changes_nothing() -> None:
    a = account()
    a.share_changed(OLD, word(date(2026, 2, 1), "30.00", 3), TODAY)
    a.share_changed(OLD, word(date(2026, 2, 1), "99.00", 2), TODAY)  # late: older than the one kept
    [charged] = a.take_events()
    assert isinstance(charged, events.PatientCharged) and (charged.amount, charged.share) == (D("5.00"), D("30.00"))
    assert a.balance == D("70.00")


def test_a_payment_goes_to_the_oldest_open_visit_first_and_the_rest_waits_unapplied() -> None:
    a = account()
    applied = pay(a, "100.00")
    assert [(p.encounter_id, p.amount) for p in applied] == [(OLD, D("25.00")), (NEW, D("40.00"))]
    assert (a.balance, a.unapplied, a.credit) == (0, D("35.00"), D("35.00"))
    received, credit = a.take_events()
    assert isinstance(received, events.PatientPaymentReceived) and received.unapplied == D("35.00")
    assert isinstance(credit, events.CreditBalanceFound) and credit.credit == D("35.00")


def test_a_payment_for_the_visit_she_chose_goes_there() -> None:
    a = account()
    assert [(p.encounter_id, p.amount) for p in pay(a, "10.00", NEW)] == [(NEW, D("10.00"))]
    assert a.visits[OLD].open == D("25.00") and a.visits[NEW].open == D("30.00")


def test_a_copay_at_the_desk_waits_for_the_payer_and_becomes_a_credit_when_it_was_not_owed() -> None:
    a, visit = account(), uuid4()
    pay(a, "20.00", visit)
    assert (a.prepaid, a.credit, a.balance) == (D("20.00"), 0, D("65.00"))
    assert [type(e) for e in a.take_events()] == [events.PatientPaymentReceived]  # a copay held is no credit
    a.share_changed(visit, word(date(2026, 3, 9), "0.00", 2), TODAY)  # the payer says she owed nothing
    assert (a.prepaid, a.credit) == (0, D("20.00"))
    assert [type(e) for e in a.take_events()] == [events.CreditBalanceFound]


def test_adjustments_stay_within_what_is_open_and_a_small_balance_is_the_whole_of_a_small_one() -> None:
    a = account()
    a.adjust(Adjustment(uuid4(), NEW, "hardship", D("15.00"), "lost her job", "biller-1"))
    assert a.visits[NEW].open == D("25.00")
    with pytest.raises(RuleViolation):
        a.adjust(Adjustment(uuid4(), NEW, "hardship", D("25.01"), "too much", "biller-1"))
    with pytest.raises(RuleViolation):
        a.adjust(Adjustment(uuid4(), OLD, "small_balance", D("25.00"), "small", "biller-1"))  # over the limit
    pay(a, "20.00", OLD)
    a.adjust(Adjustment(uuid4(), OLD, "small_balance", D("5.00"), "small", "biller-1"))
    with pytest.raises(NotFound):
        a.adjust(Adjustment(uuid4(), uuid4(), "hardship", D("1.00"), "no such visit", "biller-1"))
    assert a.balance == D("25.00")


def test_a_payment_of_nothing_is_refused() -> None:
    with pytest.raises(RuleViolation):
        pay(account(), "0.00")


def test_a_credit_is_refunded_or_applied_to_another_visit_and_its_age_kept() -> None:
    a = account()
    pay(a, "100.00")  # 65 owed: 35 unapplied
    assert a.credit_since == date(2026, 4, 1)
    a.refund(uuid4(), D("20.00"), "card", date(2026, 4, 2))
    assert (a.credit, a.unapplied, a.credit_since) == (D("15.00"), D("15.00"), date(2026, 4, 1))
    a.share_changed(OLD, word(date(2026, 2, 1), "40.00", 2), TODAY)  # the payer left her 15 more on it
    a.apply_credit(OLD, D("15.00"), TODAY)
    assert (a.credit, a.balance, a.credit_since) == (0, 0, None)
    with pytest.raises(RuleViolation):
        a.refund(uuid4(), D("0.01"), "check", TODAY)
    kinds = [type(e) for e in a.take_events()]
    assert events.PatientRefunded in kinds and events.PatientCreditApplied in kinds


def test_a_card_refund_the_processor_refused_is_credit_again() -> None:
    a, visit = account(), uuid4()
    pay(a, "20.00", visit)
    a.share_changed(visit, word(date(2026, 3, 9), "0.00", 2), TODAY)  # the copay was not owed
    refund = uuid4()
    a.refund(refund, D("20.00"), "card", TODAY)
    assert a.credit == 0 and a.visits[visit].paid == 0
    a.refund_failed(refund, D("20.00"), TODAY)
    assert (a.credit, a.unapplied) == (D("20.00"), D("20.00"))


def test_every_money_event_carries_the_standing_it_leaves_numbered_and_adding_up() -> None:
    """shares = paid - refunded + adjusted + owed - held, after each money event: what the projection checks."""
    a = PatientAccount(uuid4(), uuid4(), uuid4(), "P-1")
    a.receive(Payment(uuid4(), D("20.00"), "cash", TODAY, NEW))  # a copay before the insurance said anything
    a.share_changed(OLD, word(date(2026, 2, 1), "25.00"), TODAY)
    a.share_changed(NEW, word(date(2026, 3, 2), "5.00"), TODAY)  # the copay was 15.00 too much
    a.adjust(Adjustment(uuid4(), OLD, "hardship", D("5.00"), "lost her job", "biller-1"))
    a.refund(uuid4(), D("15.00"), "check", TODAY)
    moved = [e for e in a.take_events() if isinstance(e, events.MoneyMoved)]
    assert [e.standing.sequence for e in moved if e.standing] == [1, 2, 3, 4, 5]
    paid = refunded = adjusted = D(0)
    for e in moved:
        paid += e.amount if isinstance(e, events.PatientPaymentReceived) else 0
        refunded += e.amount if isinstance(e, events.PatientRefunded) else 0
        adjusted += e.amount if isinstance(e, events.PatientAdjusted) else 0
        s = e.standing
        assert s is not None and s.shares == paid - refunded + adjusted + s.owed - s.held
    assert (s.shares, s.owed, s.held) == (D("30.00"), D("20.00"), 0)
    assert a.visits[OLD].hers_since == TODAY and a.visits[NEW].hers_since == TODAY


def test_credit_refunded_or_moved_says_which_visit_it_left() -> None:
    """Cash applied to no visit leaves none; an overpaid visit's credit leaves it: patient collections count a
    dollar once, where it ended."""
    a = account()
    pay(a, "100.00", OLD)  # 75 over the old visit's 25
    pay(a, "5.00")  # to NEW, the oldest open
    a.apply_credit(NEW, D("35.00"), TODAY)
    a.refund(uuid4(), D("40.00"), "check", TODAY)
    *_, applied, refunded = [e for e in a.take_events() if isinstance(e, events.MoneyMoved)]
    assert isinstance(applied, events.PatientCreditApplied) and isinstance(refunded, events.PatientRefunded)
    assert [(p.encounter_id, p.amount) for p in applied.taken_from] == [(OLD, D("35.00"))]
    assert [(p.encounter_id, p.amount) for p in refunded.taken_from] == [(OLD, D("40.00"))]
    assert (a.visits[OLD].paid, a.visits[NEW].paid, a.credit) == (D("25.00"), D("40.00"), 0)
