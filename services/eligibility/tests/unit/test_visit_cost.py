"""What the next visit costs the patient: on the allowed amount (the charge only when no allowed amount is known,
said so), what is left of the deductible first (the smaller of the individual's and the family's), then the copay
or coinsurance, capped by what is left of the out-of-pocket maximum; exact to the cent, each step explained."""

from decimal import Decimal

from claimstream_platform.x12.eligibility_model import Benefit
from eligibility.benefits import summarize
from eligibility.cost import Price
from eligibility_testkit import response

ACTIVE = Benefit("1", "IND", ("30",))


def deductible(level: str, left: str) -> Benefit:
    return Benefit("C", level, ("MH",), period="29", amount=Decimal(left))


def test_a_zero_copay_does_not_make_the_deductible_left_disappear() -> None:
    plan = (ACTIVE, Benefit("B", "IND", ("MH",), period="27", amount=Decimal(0)), deductible("IND", "500"))
    s = summarize(response(*plan), "SIMBCX", Price(allowed=Decimal("151.56")))
    assert s.next_visit_cost == Decimal("151.56")  # all of it toward the deductible
    assert s.cost is not None and any("Deductible: 151.56" in step for step in s.cost.steps)


def test_the_deductible_then_the_copay_on_what_is_left_of_the_allowed_amount() -> None:
    plan = (ACTIVE, Benefit("B", "IND", ("MH",), period="27", amount=Decimal(25)), deductible("IND", "100"))
    assert summarize(response(*plan), "SIMBCX", Price(allowed=Decimal(150))).next_visit_cost == Decimal("125.00")


def test_the_family_deductible_applies_when_less_of_it_is_left() -> None:
    plan = (
        ACTIVE,
        Benefit("A", "IND", ("MH",), percent=Decimal("0.2")),
        deductible("IND", "400"),
        deductible("FAM", "50"),
    )
    s = summarize(response(*plan), "SIMBCX", Price(allowed=Decimal(150)))
    assert s.next_visit_cost == Decimal("70.00")  # 50 + 20 % of 100
    assert s.cost is not None and any("family" in step for step in s.cost.steps)


def test_cost_sharing_is_on_the_allowed_amount_not_the_charge() -> None:
    plan = (ACTIVE, Benefit("A", "IND", ("MH",), percent=Decimal("0.2")), deductible("IND", "0"))
    s = summarize(response(*plan), "SIMMCR", Price(charge=Decimal(200), allowed=Decimal("103.11")))
    assert s.next_visit_cost == Decimal("20.62")  # 20 % of 103.11, not of 200
    assert s.cost is not None and (s.cost.basis, s.cost.amount) == ("allowed", Decimal("103.11"))


def test_without_an_allowed_amount_the_charge_is_used_and_said_so() -> None:
    plan = (ACTIVE, Benefit("A", "IND", ("MH",), percent=Decimal("0.2")), deductible("IND", "40"))
    s = summarize(response(*plan), "SIMMCR", Price(charge=Decimal("151.56")))
    assert s.next_visit_cost == Decimal("62.31")  # 40 + 20 % of 111.56
    assert s.cost is not None and s.cost.basis == "charge" and "charge" in s.cost.steps[0]


def test_the_out_of_pocket_left_caps_the_visit() -> None:
    plan = (
        ACTIVE,
        Benefit("A", "IND", ("MH",), percent=Decimal("0.5")),
        deductible("IND", "0"),
        Benefit("G", "IND", ("30",), period="29", amount=Decimal("12.50")),
        Benefit("G", "FAM", ("30",), period="29", amount=Decimal("900")),
    )
    s = summarize(response(*plan), "SIMBCX", Price(allowed=Decimal(150)))
    assert s.next_visit_cost == Decimal("12.50")
    assert s.cost is not None and "out-of-pocket" in s.cost.steps[-2]


def test_no_amount_known_gives_the_copay_only_when_no_deductible_is_left() -> None:
    copay = Benefit("B", "IND", ("MH",), period="27", amount=Decimal(3))
    assert summarize(response(ACTIVE, copay, deductible("IND", "0")), "SIMMCD").next_visit_cost == Decimal(3)
    assert summarize(response(ACTIVE, copay, deductible("IND", "10")), "SIMMCD").next_visit_cost is None
