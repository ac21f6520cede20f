"""An invoice's figures, pure: each party's percentage of its net collections to the cent, interest only when
the agreement counts it, per-item fees, the minimum fee in a slow month; the agreement in force; credit notes."""

from datetime import date
from decimal import Decimal
from uuid import uuid4

import pytest
from billing_office.domain import Agreement, Collection, Invoice, figures, in_force, month_end, months_due
from claimstream_platform.contracts.billing_office import CreditNoteIssued, InvoiceIssued
from claimstream_platform.errors import RuleViolation

D = Decimal
NOV = date(2026, 11, 1)


def agreement(**terms: object) -> Agreement:
    base: dict[str, object] = {"effective_from": NOV, "insurance_percent": D("6.50"), "patient_percent": D("4.00")}
    return Agreement(id=uuid4(), **(base | {"minimum_fee": D("250")} | terms))  # type: ignore[arg-type]


def money(party: str, kind: str, amount: str) -> Collection:
    return Collection(party, kind, date(2026, 11, 10), D(amount))  # type: ignore[arg-type]


def test_the_fee_is_the_percentage_of_net_collections_to_the_cent() -> None:
    month = [
        money("insurance", "payment", "10000.00"),
        money("insurance", "reversal", "-120.00"),
        money("insurance", "recoupment", "-333.33"),
        money("insurance", "interest", "12.50"),
        money("patient", "payment", "1500.00"),
        money("patient", "refund", "-45.00"),
    ]
    found = figures(agreement(), month, claims=0, statements=0)
    assert (found.insurance_collected, found.patient_collected, found.interest) == (
        D("9546.67"),
        D("1455.00"),
        D("12.50"),
    )
    assert found.insurance_fee == D("620.53")  # 9546.67 x 6.5 % = 620.53355
    assert found.patient_fee == D("58.20")
    assert (found.minimum_top_up, found.total) == (D("0.00"), D("678.73"))
    with_interest = figures(agreement(include_interest=True), month, claims=0, statements=0)
    assert with_interest.insurance_collected == D("9559.17") and with_interest.insurance_fee == D("621.35")


def test_a_slow_month_pays_the_minimum_and_items_count_toward_it() -> None:
    slow = figures(agreement(per_claim_fee=D("1.25")), [money("insurance", "payment", "800")], claims=8, statements=0)
    assert (slow.insurance_fee, slow.claim_fees, slow.minimum_top_up, slow.total) == (
        D("52.00"),
        D("10.00"),
        D("188.00"),
        D("250.00"),
    )
    recouped = figures(agreement(minimum_fee=D(0)), [money("insurance", "recoupment", "-90")], claims=0, statements=0)
    assert (recouped.insurance_collected, recouped.insurance_fee, recouped.total) == (D("-90"), D("0.00"), D("0.00"))


def test_the_agreement_in_force_is_the_latest_from_the_months_first_day() -> None:
    first, second = agreement(), agreement(effective_from=date(2027, 1, 1), insurance_percent=D("5"))
    assert in_force([second, first], NOV) is first
    assert in_force([first, second], date(2027, 2, 1)) is second
    assert in_force([second], NOV) is None
    with pytest.raises(RuleViolation, match="first day"):
        agreement(effective_from=date(2026, 11, 15))


def test_months_end_and_fall_due_once_ended() -> None:
    assert (month_end(date(2027, 2, 1)), month_end(date(2028, 2, 1)), month_end(date(2026, 12, 1))) == (
        date(2027, 2, 28),
        date(2028, 2, 29),
        date(2026, 12, 31),
    )
    assert months_due(date(2026, 9, 1), {date(2026, 10, 1)}, date(2026, 12, 5)) == [date(2026, 9, 1), date(2026, 11, 1)]
    assert months_due(date(2026, 11, 1), set(), date(2026, 11, 30)) == []


def test_an_issued_invoice_is_credited_at_most_its_total() -> None:
    invoice = Invoice(uuid4(), uuid4(), uuid4(), NOV, "2026-11-X", date(2026, 12, 1), D("250.00"))
    invoice.issued(figures(agreement(), [], claims=0, statements=0))
    invoice.credit(uuid4(), D("100.00"), date(2026, 12, 3))
    with pytest.raises(RuleViolation, match="150.00"):
        invoice.credit(uuid4(), D("150.01"), date(2026, 12, 3))
    invoice.receive(D("150.00"))
    assert invoice.owed == D("0.00")
    issued, credited = invoice.take_events()
    assert isinstance(issued, InvoiceIssued) and issued.total == D("250.00") and issued.minimum_top_up == D("250.00")
    assert isinstance(credited, CreditNoteIssued) and credited.amount == D("100.00")
