"""The 271 summarized for behavioral health: what is active, what the next visit costs, how many visits remain,
who runs a carved-out benefit, and what an AAA says to do."""

from decimal import Decimal

from claimstream_platform.x12.eligibility_model import Benefit, Rejection
from eligibility.benefits import summarize
from eligibility_testkit import ACTIVE, CARVED_OUT, response


def test_an_active_plan_gives_the_in_network_copay_deductible_and_visits_left() -> None:
    s = summarize(response(*ACTIVE), "SIMBCX", Decimal("140"))
    assert (s.status, s.bill_payer_id, s.copay, s.deductible_remaining) == ("active", "SIMBCX", 25, 300)
    assert (s.visits_allowed, s.visits_remaining, s.visit_limit_from_text) == (20, 12, False)
    assert (s.authorization_required, s.in_network, s.next_visit_cost) == (False, True, Decimal("25"))


def test_without_a_copay_the_visit_costs_the_deductible_left_then_the_coinsurance() -> None:
    plan = (Benefit("1", "IND", ("30",)), Benefit("A", "IND", ("MH",), percent=Decimal("0.2")),
            Benefit("C", "IND", ("MH",), period="29", amount=Decimal("40")))  # fmt: skip
    s = summarize(response(*plan), "SIMMCR", Decimal("151.56"))
    assert s.next_visit_cost == Decimal("62.31")  # 40 + 20 % of 111.56
    assert summarize(response(*plan), "SIMMCR").next_visit_cost is None  # no charge known: no estimate


def test_a_visit_limit_stated_only_in_free_text_is_read_from_it() -> None:
    plan = (Benefit("1", "IND", ("30",)), Benefit("1", "IND", ("A6",), messages=(
        "OUTPATIENT THERAPY LIMITED TO 20 VISITS PER CALENDAR YEAR", "7 VISITS REMAIN THIS YEAR")))  # fmt: skip
    s = summarize(response(*plan), "SIMAHP")
    assert (s.visits_allowed, s.visits_remaining, s.visit_limit_from_text) == (20, 7, True)


def test_a_carve_out_bills_the_administrator() -> None:
    s = summarize(response(*CARVED_OUT), "SIMBCX")
    assert (s.status, s.bill_payer_id, s.administered_by, s.administrator_name) == (
        "active",
        "SIMBHO",
        "SIMBHO",
        "SIMULATED BEHAVIORAL HEALTH",
    )


def test_inactive_coverage_and_no_stated_coverage_are_inactive() -> None:
    assert summarize(response(Benefit("6", "IND", ("30",))), "SIMBCX").status == "inactive"
    assert summarize(response(Benefit("D", messages=("CALL US",))), "SIMBCX").status == "inactive"


def test_an_aaa_fails_the_check_and_says_whether_to_retry() -> None:
    wrong_id = summarize(response(rejections=(Rejection("subscriber", "72", "C", "N"),)), "SIMBCX")
    busy = summarize(response(rejections=(Rejection("subscriber", "42", "R", "N"),)), "SIMBCX")
    assert (wrong_id.status, wrong_id.rejection, wrong_id.retry) == ("failed", "72", False)
    assert (busy.rejection, busy.retry) == ("42", True)
