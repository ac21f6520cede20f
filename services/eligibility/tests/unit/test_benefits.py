"""The 271 summarized for behavioral health: what is active, the cost sharing, how many visits remain, who runs a
carved-out benefit, and what an AAA says to do. (Accumulators and visit limits: test_limits.py; the next visit's
cost: test_visit_cost.py; carve-out routing: test_carve_out.py.)"""

from decimal import Decimal

from claimstream_platform.x12.eligibility_model import Benefit, Rejection
from eligibility.benefits import summarize
from eligibility.cost import Price
from eligibility_testkit import ACTIVE, CARVED_OUT, response


def test_an_active_plan_gives_the_in_network_copay_deductible_and_visits_left() -> None:
    s = summarize(response(*ACTIVE), "SIMBCX", Price(allowed=Decimal("140")))
    assert (s.status, s.bill_payer_id, s.copay, s.deductible_remaining) == (
        "active",
        "SIMBCX",
        Decimal(25),
        Decimal(300),
    )
    assert (s.visits_allowed, s.visits_remaining, s.visit_limit_from_text) == (20, 12, False)
    assert (s.visit_limit_period, s.authorization_required, s.in_network) == ("calendar year", False, True)
    assert s.next_visit_cost == Decimal("140.00")  # 300 of deductible left: the whole visit toward it


def test_a_visit_limit_stated_only_in_free_text_is_read_from_it() -> None:
    plan = (
        Benefit("1", "IND", ("30",)),
        Benefit(
            "1",
            "IND",
            ("A6",),
            messages=("OUTPATIENT THERAPY LIMITED TO 20 VISITS PER CALENDAR YEAR", "7 VISITS REMAIN THIS YEAR"),
        ),
    )
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
