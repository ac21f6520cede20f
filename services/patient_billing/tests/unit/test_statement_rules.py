"""Statements, pure: who gets one (the insurance done, at least the minimum owed, not on hold), what it lists and
asks, the dunning stage by the age of the first statement that asked, the practice's list after the final notice,
and the patient's words for the payer's codes."""

from datetime import date, timedelta
from decimal import Decimal
from uuid import uuid4

from patient_billing.commands import Adjustment, Issued, Payment
from patient_billing.domain import InsuranceWord, PatientAccount
from patient_billing.statement_document import Addressed, lines
from patient_billing.statements import StatementPolicy, compose, decision_due, skipped, stage
from patient_billing.wording import explain

D = Decimal
TODAY = date(2026, 12, 1)
POLICY = StatementPolicy(cycle_day=1, minimum_balance=D("5.00"), due_days=21)
TO = Addressed(name="Ana Díaz", address=("1 Main St", "Albany, NY 12207"), pay_at="https://pay.example")


def answered(share: str, served: date, *, still_owed: str = "0", reasons: tuple = ()) -> InsuranceWord:
    return InsuranceWord(served, 1, D(share), D(still_owed), D("150"), D("80"), D("40"), reasons)


def two_visits() -> tuple[PatientAccount, object, object]:
    a, deductible, coinsurance = PatientAccount(uuid4(), uuid4(), uuid4(), "P-1"), uuid4(), uuid4()
    a.share_changed(deductible, answered("100.00", date(2026, 10, 5), reasons=(("PR", "1", D("100.00")),)), TODAY)
    a.share_changed(coinsurance, answered("30.00", date(2026, 10, 19), reasons=(("PR", "2", D("30.00")),)), TODAY)
    return a, deductible, coinsurance


def test_one_statement_lists_both_visits_and_says_why_in_plain_words() -> None:
    a, deductible, coinsurance = two_visits()
    assert skipped(a, POLICY, TODAY, on_hold=False) is None
    statement = compose(a, POLICY, TODAY)
    assert (statement.amount_due, statement.stage, statement.due_on) == (D("130.00"), "first", date(2026, 12, 22))
    assert [v.encounter_id for v in statement.visits] == [deductible, coinsurance]
    text = "\n".join(lines(statement, TO))
    assert "Amount due: $130.00, by December 22, 2026" in text and "Ana Díaz" in text
    assert explain("PR", "1") in text and explain("PR", "2") in text
    assert "Deductible" in explain("PR", "1") and "Paid by your insurance: $80.00" in text


def test_no_statement_while_the_insurance_still_owes_below_the_minimum_or_on_hold() -> None:
    waiting = PatientAccount(uuid4(), uuid4(), uuid4(), "P-2")
    waiting.share_changed(uuid4(), answered("50.00", date(2026, 11, 2), still_owed="70.00"), TODAY)
    assert skipped(waiting, POLICY, TODAY, on_hold=False) == "waiting_for_insurance"
    small, _, _ = two_visits()
    small.receive(Payment(uuid4(), D("126.00"), "cash", TODAY))
    assert skipped(small, POLICY, TODAY, on_hold=False) == "below_minimum"
    assert skipped(two_visits()[0], POLICY, TODAY, on_hold=True) == "on_hold"
    paid, _, _ = two_visits()
    paid.receive(Payment(uuid4(), D("130.00"), "check", TODAY))
    assert skipped(paid, POLICY, TODAY, on_hold=False) == "nothing_owed"


def test_unapplied_cash_is_taken_off_and_a_hardship_shows() -> None:
    a, deductible, _ = two_visits()
    a.adjust(Adjustment(uuid4(), deductible, "hardship", D("40.00"), "lost her job", "biller-1"))
    a.receive(Payment(uuid4(), D("90.00"), "cash", TODAY))  # pays both visits, 0 left: no statement
    assert skipped(a, POLICY, TODAY, on_hold=False) == "nothing_owed"
    b, _, _ = two_visits()
    b.unapplied = D("10.00")
    statement = compose(b, POLICY, TODAY)
    assert statement.amount_due == D("120.00") and "we hold, taken off: $10.00" in "\n".join(lines(statement, TO))


def test_the_tone_firms_at_30_60_and_90_days_and_then_the_practice_decides() -> None:
    stages = [stage(TODAY - timedelta(days=days), TODAY) for days in (0, 29, 30, 60, 90)]
    assert stages == ["first", "first", "reminder", "past_due", "final"]
    a, deductible, coinsurance = two_visits()
    first = TODAY - timedelta(days=119)
    issued = Issued(first, first + timedelta(days=21), D("130.00"), "first", "print", (deductible, coinsurance))
    a.stated(uuid4(), issued)
    assert not decision_due(a, TODAY, on_hold=False, plan=None) and compose(a, POLICY, TODAY).stage == "final"
    assert decision_due(a, TODAY + timedelta(days=1), on_hold=False, plan=None)
    assert not decision_due(a, TODAY + timedelta(days=1), on_hold=True, plan=None)
    a.refer_for_decision(TODAY + timedelta(days=1))
    assert skipped(a, POLICY, TODAY + timedelta(days=1), on_hold=False) == "awaiting_decision"
    assert not decision_due(a, TODAY + timedelta(days=9), on_hold=False, plan=None)
    assert a.balance == D("130.00")  # nothing written off or sent anywhere by the machine
    written = a.decide("write_off", "biller-1")  # a person's decision
    assert [w.kind for w in written] == ["bad_debt", "bad_debt"] and (a.balance, a.awaiting_decision_since) == (0, None)


def test_a_visit_first_asked_is_no_longer_new() -> None:
    a, deductible, coinsurance = two_visits()
    a.stated(uuid4(), Issued(TODAY, TODAY, D("100.00"), "first", "email", (deductible,)))
    assert skipped(a, POLICY, TODAY + timedelta(days=27), on_hold=False) == "stated_this_cycle"
    later = compose(a, POLICY, TODAY + timedelta(days=31))
    assert [v.new for v in later.visits] == [False, True] and later.stage == "reminder"
