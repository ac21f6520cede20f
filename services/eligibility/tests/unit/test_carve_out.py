"""A carve-out is routed only when the 271 gives the administrator's payer id (2120C NM108 PI) or the platform's
administrators (docs/domain/payers.md) know it; an NPI or a name alone is left for a person to route, and no payer
id is guessed from them."""

from datetime import date

from claimstream_platform.x12.eligibility_model import Benefit, Contact, Party
from eligibility.benefits import summarize
from eligibility.carve_out import route
from eligibility_testkit import CARVED_OUT, a_check, response

ACTIVE = Benefit("1", "IND", ("30",))


def carved_out_to(party: Party) -> Benefit:
    return Benefit("U", "IND", ("MH",), contacts=(Contact(party),))


def test_an_administrator_named_by_its_payer_id_is_billed() -> None:
    s = summarize(response(*CARVED_OUT), "SIMBCX")
    assert (s.bill_payer_id, s.administered_by, s.carve_out_to_route) == ("SIMBHO", "SIMBHO", None)


def test_an_administrator_named_by_its_npi_or_its_name_is_left_for_a_person() -> None:
    by_npi = Party("PR", "2", "LAKESIDE BH PARTNERS", id_qualifier="XX", identifier="1234567893")
    by_name = Party("PR", "2", "LAKESIDE BH PARTNERS")
    for party in (by_npi, by_name):
        s = summarize(response(ACTIVE, carved_out_to(party)), "SIMBCX")
        assert (s.status, s.bill_payer_id, s.administered_by) == ("active", "", None)
        assert s.carve_out_to_route is not None and "LAKESIDE BH PARTNERS" in s.carve_out_to_route
    check = a_check()
    check.answered(summarize(response(ACTIVE, carved_out_to(by_npi)), "SIMBCX"))
    events = check.take_events()
    assert [type(e).__name__ for e in events] == ["EligibilityVerified"]  # no carve-out for claims to follow
    assert events[0].carve_out_to_route == "LAKESIDE BH PARTNERS (XX 1234567893)"  # type: ignore[attr-defined]


def test_the_payer_id_map_routes_a_known_name_or_tax_id_from_its_effective_date() -> None:
    by_name = Party("PR", "2", "Simulated  Behavioral Health")
    by_tax_id = Party("PR", "2", "SBH", id_qualifier="FI", identifier="355555555")
    assert route(by_name, date(2026, 12, 3)) == route(by_tax_id, date(2026, 12, 3)) == "SIMBHO"
    assert route(by_name, date(2019, 12, 31)) is None  # before the mapping holds
    s = summarize(response(ACTIVE, carved_out_to(by_tax_id)), "SIMBCX", served=date(2026, 12, 3))
    assert (s.bill_payer_id, s.administered_by, s.administrator_name) == ("SIMBHO", "SIMBHO", "SBH")
