"""The captured visit as prior authorization sees it: which of its codes need an authorization none on file covers,
and AuthorizationRequired recorded once for them, or not at all. Pure."""

from datetime import date
from uuid import uuid4

from claimstream_platform.contracts.prior_authorization import AuthorizationRequired
from prior_authorization.domain import Authorization, Patient
from prior_authorization.rules import rule_for, shipped
from prior_authorization.visit import Visit, VisitLine

DAY = date(2026, 12, 10)
NPI = "1245319599"
MEDICAID = rule_for(shipped(), "SIMMCD", DAY)  # therapy after 30 visits a year; testing always


def visit(*lines: VisitLine, earlier: int = 30, number: str = "") -> Visit:
    return Visit(uuid4(), uuid4(), uuid4(), 2, "P-1", "SIMMCD", DAY, NPI, lines, earlier, number)


def on_file(code: str, approved: int, *, used: int = 0, npi: str = NPI) -> Authorization:
    patient = Patient("P-1", "ZOE", "NUNEZ", date(1990, 1, 2))
    start, end = date(2026, 12, 1), date(2027, 2, 28)
    found = Authorization(
        uuid4(), uuid4(), patient, "SIMMCD", "M1", npi, "CALM MINDS", (code,), 10, "visits", start, end
    )
    found.entered("AUTH1", approved)
    found.lines[0].used = used
    found.take_events()
    return found


def test_codes_the_rule_wants_after_the_years_visits_are_required_once_with_the_visits_payload() -> None:
    seen = visit(VisitLine("90834"), VisitLine("90785"), VisitLine("90834"), earlier=30)
    seen.require(MEDICAID, [])
    taken = seen.take_events()
    assert len(taken) == 1 and isinstance(taken[0], AuthorizationRequired)
    required = taken[0]
    assert required.codes == ["90834"] and required.visits_this_year == 30
    assert (required.tenant_id, required.practice_id, required.encounter_id) == (
        seen.tenant_id,
        seen.practice_id,
        seen.encounter_id,
    )
    assert (required.version, required.patient_ref, required.payer_id, required.service_date) == (
        2,
        "P-1",
        "SIMMCD",
        DAY,
    )
    assert seen.take_events() == []  # taken once


def test_nothing_is_required_before_the_count_and_codes_by_rule_are_required_from_the_first_visit() -> None:
    early = visit(VisitLine("90834"), earlier=29)
    early.require(MEDICAID, [])
    assert early.take_events() == []
    testing = visit(VisitLine("96130"), VisitLine("90834"), earlier=0)
    testing.require(MEDICAID, [])
    assert [event.codes for event in testing.take_events() if isinstance(event, AuthorizationRequired)] == [["96130"]]


def test_an_authorization_on_file_with_some_left_for_the_provider_covers_its_code() -> None:
    covered = visit(VisitLine("90834"), VisitLine("96130"))
    assert covered.needing(MEDICAID, [on_file("90834", 10)]) == ["96130"]
    covered.require(MEDICAID, [on_file("90834", 10), on_file("96130", 2)])
    assert covered.take_events() == []
    used_up, elsewhere = on_file("90834", 10, used=10), on_file("90834", 10, npi="1234567893")
    assert visit(VisitLine("90834")).needing(MEDICAID, [used_up, elsewhere]) == ["90834"]


def test_a_number_from_the_ehr_on_the_line_or_the_visit_needs_none() -> None:
    on_the_line = visit(VisitLine("90834", "G1-LINE"), VisitLine("96130"))
    assert on_the_line.needing(MEDICAID, []) == ["96130"]
    on_the_visit = visit(VisitLine("90834"), number="G1-VISIT")
    on_the_visit.require(MEDICAID, [])
    assert on_the_visit.take_events() == []
