"""Per-service decisions and their burn-down, pure: a 278 deciding two services two ways gives two lines and
announces only what was approved; an approved 0 stays 0; a certified answer without a quantity is taken as asked
only when certified in total; CT is for a person, not a denial; a quantity the payer gave once for the event is
shared, not repeated per code; a charge over what a line approved is recorded and announced, never dropped."""

from datetime import date
from uuid import uuid4

from claimstream_platform.contracts import prior_authorization as events
from claimstream_platform.x12.review_model import ReviewDecision, ServiceDecision
from prior_authorization.domain import Authorization, Patient
from prior_authorization.lines import Draw, Line, allocate
from prior_authorization.rules import rule_for, shipped

START, END = date(2026, 12, 1), date(2027, 2, 28)
RULE = rule_for(shipped(), "SIMMCD", START)


def psych_testing(**asked: int) -> Authorization:
    """Psychological testing asked per code (a line each), or, with `pool`, 8 units shared by both codes."""
    lines = [Line((code,), quantity, "units", START, END) for code, quantity in asked.items()]
    return Authorization(
        uuid4(),
        uuid4(),
        Patient("P-1", "ZOE", "NUNEZ", date(1990, 1, 2)),
        "SIMMCD",
        "M1",
        "1245319599",
        "CALM MINDS",
        tuple(asked) or ("96130", "96131"),
        sum(asked.values()) or 8,
        "units",
        START,
        END,
        lines=lines,
    )


def service(code: str, action: str, quantity: int | None = None, **more: object) -> ServiceDecision:
    return ServiceDecision(
        code,
        action,
        "AUTH1" if action in ("A1", "A2", "A6") else "",
        quantity=quantity,
        quantity_kind="FL" if quantity is not None else "",
        **more,
    )  # type: ignore[arg-type]


def test_two_services_decided_two_ways_give_two_lines_and_announce_what_was_approved() -> None:
    asked = psych_testing(**{"96130": 2, "96131": 6})
    asked.decided(
        ReviewDecision("T", "A2", "AUTH1", services=(service("96130", "A1", 2), service("96131", "A3", reason="NC")))
    )
    (approved,) = asked.take_events()
    assert [(x.codes, x.status, x.approved, x.reason) for x in asked.lines] == [
        (("96130",), "approved", 2, ""),
        (("96131",), "denied", 0, "NC"),
    ]
    assert isinstance(approved, events.AuthorizationApproved)
    assert (approved.codes, approved.approved, approved.partial) == (["96130"], 2, True)  # not the denied code
    assert [(s.codes, s.status) for s in approved.services] == [(["96130"], "approved"), (["96131"], "denied")]
    assert asked.covers("96130", START, "1245319599") and not asked.covers("96131", START, "1245319599")


def test_an_approved_zero_is_zero_and_no_quantity_is_as_asked_only_when_certified_in_total() -> None:
    zero = psych_testing(**{"96130": 2})
    zero.decided(ReviewDecision("T", "A2", "AUTH1", services=(service("96130", "A2", 0),)))
    assert (zero.status, zero.approved, zero.remaining) == ("approved", 0, 0)
    in_total = psych_testing(**{"96130": 2})
    in_total.decided(ReviewDecision("T", "A1", "AUTH1", services=(service("96130", "A1"),)))
    assert (in_total.status, in_total.approved, in_total.partial) == ("approved", 2, False)
    in_part = psych_testing(**{"96130": 2})
    in_part.decided(ReviewDecision("T", "A2", "AUTH1", services=(service("96130", "A2"),)))
    (said,) = in_part.take_events()
    assert (in_part.status, in_part.reason, in_part.approved) == ("contact", "no quantity", 0)
    assert isinstance(said, events.AuthorizationPended) and said.needs_person


def test_contact_the_payer_is_for_a_person_not_a_denial() -> None:
    asked = psych_testing()
    asked.decided(ReviewDecision("T", "CT", reason="0U"))
    (said,) = asked.take_events()
    assert (asked.status, asked.reason) == ("contact", "0U")
    assert isinstance(said, events.AuthorizationPended) and said.needs_person


def test_a_quantity_the_payer_gave_once_for_the_event_is_shared_by_the_codes() -> None:
    pooled = psych_testing()  # 8 units for both codes, one line
    pooled.decided(ReviewDecision("T", "A2", "AUTH1", quantity=6, quantity_kind="FL"))
    assert [(x.codes, x.approved) for x in pooled.lines] == [(("96130", "96131"), 6)] and pooled.approved == 6
    each = psych_testing(**{"96130": 2, "96131": 6})  # asked per code, answered once for the event: one line of 6
    each.decided(ReviewDecision("T", "A2", "AUTH1", quantity=6, quantity_kind="FL"))
    assert [(x.codes, x.requested, x.approved) for x in each.lines] == [(("96130", "96131"), 8, 6)]
    split = psych_testing()  # one line asked, its codes decided two ways: a line each
    split.decided(
        ReviewDecision(
            "T",
            "A2",
            "AUTH1",
            quantity=6,
            quantity_kind="FL",
            services=(service("96130", "A1", 6, quantity_of_event=True), service("96131", "A4", reason="0U")),
        )
    )
    assert [(x.codes, x.status) for x in split.lines] == [(("96130",), "approved"), (("96131",), "pended")]
    assert split.status == "pended"  # announced once the payer decided every line


def test_a_charge_over_what_is_left_draws_what_remains_and_the_rest_goes_over() -> None:
    first, second = psych_testing(**{"96130": 2, "96131": 1}), psych_testing(**{"96131": 4})
    for authorization in (first, second):
        authorization.entered("PA-1", authorization.requested)
        authorization.take_events()
    first.lines = [
        Line(("96130",), 2, "units", START, END, "approved", approved=2),
        Line(("96131",), 1, "units", START, END, "approved", approved=1, used=1),
    ]
    second.lines[0].end = date(2026, 12, 5)  # ends before the charge: covers nothing
    draws = allocate([first.lines, second.lines], [("96130", 3), ("96131", 2), ("90834", 1)], date(2026, 12, 10))
    assert draws == [Draw(0, 0, 2, 1, ("96130",), ("96130",)), Draw(0, 1, 0, 2, ("96131",), ("96131",))]
    first.consume(uuid4(), 1, date(2026, 12, 10), draws[0], RULE)
    found = first.take_events()
    exceeded = next(e for e in found if isinstance(e, events.AuthorizationExceeded))
    assert (exceeded.codes, exceeded.used, exceeded.over, exceeded.unit) == (["96130"], 2, 1, "units")
    assert (first.used, first.over, first.remaining) == (3, 1, 0)
    first.give_back(uuid4(), 0, 2, 1)
    assert (first.used, first.over) == (1, 0)


def test_a_charge_spills_to_the_next_authorization_and_a_visit_counts_once_per_line() -> None:
    soon = [Line(("96130",), 2, "units", START, END, "approved", approved=2, used=1)]
    later = [Line(("96130",), 4, "units", START, END, "approved", approved=4)]
    assert allocate([soon, later], [("96130", 3)], START) == [
        Draw(0, 0, 1, 0, ("96130",)),
        Draw(1, 0, 2, 0, ("96130",)),
    ]
    therapy = [Line(("90834", "90785"), 10, "visits", START, END, "approved", approved=10)]
    assert allocate([therapy], [("90834", 1), ("90785", 1)], START) == [Draw(0, 0, 1, 0, ("90834", "90785"))]
