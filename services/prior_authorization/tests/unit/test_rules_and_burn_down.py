"""The rules as data with effective dates, and the authorization aggregate: its decisions, its burn-down with the
warning, exhaustion and review points, units given back, and the end coming near. Pure."""

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from uuid import uuid4

from claimstream_platform.payers import override
from claimstream_platform.x12.eligibility_model import Rejection
from claimstream_platform.x12.review_model import ReviewDecision
from prior_authorization.domain import Authorization, Patient, Unit
from prior_authorization.lines import Draw
from prior_authorization.rules import practice_rule, rule_for, shipped

DAY = date(2026, 12, 10)


def authorization(unit: Unit = "visits", requested: int = 10) -> Authorization:
    patient = Patient("P-1", "ZOE", "NUNEZ", date(1990, 1, 2))
    start, end = date(2026, 12, 1), date(2027, 2, 28)
    return Authorization(
        uuid4(), uuid4(), patient, "SIMMCD", "M1", "1245319599", "CALM MINDS", ("90837",), requested, unit, start, end
    )


def kinds(found: Sequence[object]) -> list[str]:
    return [type(event).__name__ for event in found]


def test_rules_apply_by_payer_and_date_and_after_a_yearly_visit_count() -> None:
    before, after = rule_for(shipped(), "SIMAHP", date(2025, 12, 31)), rule_for(shipped(), "SIMAHP", date(2026, 1, 1))
    assert not before.needs_authorization("90837", 0) and after.needs_authorization("90837", 0)
    medicaid = rule_for(shipped(), "SIMMCD", date(2026, 6, 1))
    assert not medicaid.needs_authorization("90834", 29) and medicaid.needs_authorization("90834", 30)
    elsewhere = rule_for(shipped(), "SOMEPAYER", date(2026, 6, 1))
    assert elsewhere.needs_authorization("96130", 0) and not elsewhere.needs_authorization("90834", 99)
    assert medicaid.reviews_between(7, 8) == [8] and medicaid.reviews_between(8, 15) == []
    assert medicaid.warn_share == Decimal("0.8") and medicaid.renewal_visits == 10
    # asked as the patient approaches the count: from the 27th therapy visit of the year, not for testing
    assert [medicaid.asks_ahead("90834", n) for n in (26, 27, 30)] == [False, True, True]
    assert not medicaid.asks_ahead("96130", 27) and not elsewhere.asks_ahead("90834", 99)


def test_a_practices_overrides_change_its_rule_and_no_overrides_keep_ours() -> None:
    assert practice_rule("SIMMCD", DAY) == rule_for(shipped(), "SIMMCD", DAY)
    assert practice_rule("SOMEPAYER", DAY).always == rule_for(shipped(), "SOMEPAYER", DAY).always
    sooner = override(date(2026, 7, 1), None, {"authorization_after_visits": 12})
    own = practice_rule("SIMMCD", DAY, [sooner])
    assert own.needs_authorization("90834", 12) and not own.needs_authorization("90834", 11)
    assert not practice_rule("SIMMCD", date(2026, 6, 30), [sooner]).needs_authorization("90834", 12)  # not yet
    assert own.warn_days == rule_for(shipped(), "SIMMCD", DAY).warn_days  # the service's own settings stay


def test_each_decision_sets_the_status_and_says_so() -> None:
    certified = authorization()
    certified.decided(ReviewDecision("T", "A1", "AUTH1", quantity=10))
    assert kinds(certified.take_events()) == ["AuthorizationApproved"]
    assert (certified.status, certified.number, certified.approved, certified.partial) == (
        "approved",
        "AUTH1",
        10,
        False,
    )
    partly = authorization()
    partly.decided(ReviewDecision("T", "A2", "AUTH2", quantity=6, end=date(2027, 1, 31)))
    (event,) = partly.take_events()
    assert event.partial and (partly.approved, partly.end) == (6, date(2027, 1, 31))  # type: ignore[attr-defined]
    pended, refused, free = authorization(), authorization(), authorization()
    pended.decided(ReviewDecision("T", "A4", reason="0U"))
    assert kinds(pended.take_events()) == ["AuthorizationPended"]
    pended.decided(ReviewDecision("T", "A3", reason="NC"))
    assert kinds(pended.take_events()) == ["AuthorizationDenied"]
    refused.decided(ReviewDecision("T", "", rejections=(Rejection("subscriber", "75", "C", "N"),)))
    assert (pended.status, pended.reason, refused.status, refused.reason) == ("denied", "NC", "denied", "75")
    free.decided(ReviewDecision("T", "NA"))
    assert free.take_events() == [] and free.status == "not_required"


def test_the_burn_down_warns_at_the_share_reaches_review_points_and_exhausts_once() -> None:
    rule = rule_for(shipped(), "SIMMCD", date(2026, 12, 1))
    visits = authorization()
    visits.entered("AUTH9", 10)
    assert kinds(visits.take_events()) == ["AuthorizationApproved"]
    seen: list[list[str]] = []
    for _ in range(10):
        visits.consume(uuid4(), 1, DAY, Draw(0, 0, 1, 0, ("90837",)), rule)
        seen.append(kinds(visits.take_events()))
    assert seen[6] == ["AuthorizationUnitsConsumed"]
    assert seen[7] == ["AuthorizationUnitsConsumed", "AuthorizationExpiring", "ConcurrentReviewDue"]  # 8 of 10
    assert seen[8] == ["AuthorizationUnitsConsumed"]  # warned once
    assert seen[9] == ["AuthorizationUnitsConsumed", "AuthorizationExhausted"]
    visits.give_back(uuid4(), 0, 1, 0)
    (returned,) = visits.take_events()
    assert (visits.used, visits.remaining, returned.remaining) == (9, 1, 1)  # type: ignore[attr-defined]


def test_the_end_coming_near_is_announced_once_while_units_remain() -> None:
    rule = rule_for(shipped(), "SIMMCD", date(2026, 12, 1))
    units = authorization("units", 8)
    units.entered("AUTH10", 8)
    units.take_events()
    units.ending(date(2027, 2, 1), rule)
    assert units.take_events() == []  # 27 days before the end
    units.ending(date(2027, 2, 14), rule)
    assert kinds(units.take_events()) == ["AuthorizationExpiring"]
    units.ending(date(2027, 2, 20), rule)
    assert units.take_events() == []
    renewal = units.renewal(date(2027, 2, 20), 6)
    assert (renewal.status, renewal.certification, renewal.previous_number) == ("requested", "R", "AUTH10")
    assert renewal.requested == 6
    assert renewal.id != units.id and renewal.used == 0
