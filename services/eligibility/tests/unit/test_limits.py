"""Deductibles, out-of-pocket maximums and visit limits read from a 271 for what each EB06 period says: 29
remaining, 24 used this year, 32 lifetime, 33 lifetime remaining; individual (IND) and family (FAM) apart; visit
limits from EB VS and from HSD segments."""

from decimal import Decimal

from claimstream_platform.x12.eligibility_model import Benefit, Delivery
from eligibility.benefits import summarize
from eligibility_testkit import response

ACTIVE = Benefit("1", "IND", ("30",))


def test_individual_and_family_deductibles_are_read_apart_and_the_smaller_remainder_applies() -> None:
    plan = (
        ACTIVE,
        Benefit("C", "IND", ("MH",), period="23", amount=Decimal(500)),
        Benefit("C", "IND", ("MH",), period="24", amount=Decimal(100)),
        Benefit("C", "IND", ("MH",), period="29", amount=Decimal(400)),
        Benefit("C", "FAM", ("MH",), period="23", amount=Decimal(1000)),
        Benefit("C", "FAM", ("MH",), period="29", amount=Decimal(150)),
    )
    s = summarize(response(*plan), "SIMBCX")
    assert s.deductible_individual is not None and s.deductible_family is not None
    individual, family = s.deductible_individual, s.deductible_family
    assert (individual.amount, individual.used, individual.remaining) == (Decimal(500), Decimal(100), Decimal(400))
    assert (family.amount, family.used, family.remaining) == (Decimal(1000), None, Decimal(150))
    assert s.deductible_remaining == 150


def test_out_of_pocket_maximums_are_read_per_level_and_a_remainder_follows_from_amount_and_used() -> None:
    plan = (
        ACTIVE,
        Benefit("G", "IND", ("30",), period="23", amount=Decimal(3000)),
        Benefit("G", "IND", ("30",), period="24", amount=Decimal(2800)),
        Benefit("G", "FAM", ("30",), period="23", amount=Decimal(6000)),
        Benefit("G", "FAM", ("30",), period="29", amount=Decimal(900)),
    )
    s = summarize(response(*plan), "SIMBCX")
    assert s.out_of_pocket_individual is not None and s.out_of_pocket_individual.remaining == 200
    assert s.out_of_pocket_family is not None and s.out_of_pocket_family.remaining == 900
    assert s.out_of_pocket_remaining == 200


def test_used_to_date_and_lifetime_amounts_are_never_read_as_what_the_plan_allows() -> None:
    plan = (
        ACTIVE,
        Benefit("F", "IND", ("A6",), period="24", quantity_qualifier="VS", quantity=Decimal(8)),
        Benefit("F", "IND", ("A6",), period="33", quantity_qualifier="VS", quantity=Decimal(5)),
        Benefit("C", "IND", ("MH",), period="32", amount=Decimal(2000)),
        Benefit("C", "IND", ("MH",), period="33", amount=Decimal(700)),
    )
    s = summarize(response(*plan), "SIMBCX")
    assert (s.visits_allowed, s.visits_used, s.visits_remaining) == (None, 8, 5)
    assert s.deductible_individual is not None
    assert (s.deductible_individual.amount, s.deductible_individual.lifetime) == (None, Decimal(2000))
    assert s.deductible_remaining == 700


def test_visit_limits_are_read_from_hsd_with_their_period_and_the_visits_used() -> None:
    limits = (Delivery("VS", Decimal(30), period="22"), Delivery("VS", Decimal(11), period="24"))
    plan = (ACTIVE, Benefit("F", "IND", ("MH",), deliveries=limits))
    s = summarize(response(*plan), "SIMBHO")
    assert (s.visits_allowed, s.visit_limit_period, s.visits_used, s.visits_remaining) == (30, "service year", 11, 19)
    assert s.visit_limit_from_text is False


def test_an_hsd_frequency_and_a_coded_remainder_read_for_what_they_are() -> None:
    weekly = (Delivery("VS", Decimal(1), unit="WK"), Delivery("VS", Decimal(6), period="29"))
    s = summarize(response(ACTIVE, Benefit("F", "IND", ("A6",), deliveries=weekly)), "SIMBHO")
    assert (s.visits_allowed, s.visit_limit_period, s.visits_remaining) == (1, "per week", 6)


def test_a_copay_with_an_hsd_per_visit_is_no_visit_limit() -> None:
    per_visit = Benefit("B", "IND", ("A6",), period="27", amount=Decimal(20), deliveries=(Delivery("VS", Decimal(1)),))
    s = summarize(response(ACTIVE, per_visit), "SIMBHO")
    assert (s.copay, s.visits_allowed) == (Decimal(20), None)
