"""The case aggregate's moves and the automatic fixes. Pure."""

from datetime import date
from decimal import Decimal
from uuid import uuid4

import pytest
from claimstream_platform.contracts.denial_management import DenialReopened, DenialResolved, DenialTriaged
from claimstream_platform.payers import override
from denial_management.automatic import Appeal, Close, Correct, KnownClaim, decide
from denial_management.deadlines import Deadline
from denial_management.domain import Case, IllegalTransition, Opening
from denial_management.handlers import resubmit_as
from denial_management.triage import Adjusted, triage_denial
from denial_testkit import PRACTICE, TENANT

SERVED = date(2026, 11, 2)


def opening(payer: str = "SIMAHP", line: int | None = None) -> Opening:
    return Opening(
        TENANT,
        PRACTICE,
        uuid4(),
        payer,
        "denial",
        "line" if line else "claim",
        line,
        "90834",
        Decimal("140"),
        date(2026, 11, 20),
        SERVED,
        f"k{uuid4()}",
    )


def claim(place: str = "10", modifiers: list[str] | None = None, **changes: object) -> KnownClaim:
    values: dict[str, object] = {
        "claim_id": uuid4(),
        "place_of_service": place,
        "lines": {1: modifiers or []},
        "accepted_on": None,
        "original_paid": False,
    }
    values.update(changes)
    return KnownClaim(**values)  # type: ignore[arg-type]


def triaged(group: str, carc: str, *remarks: str):  # type: ignore[no-untyped-def]
    return triage_denial([Adjusted(group, carc, Decimal("140"))], list(remarks))


def test_a_case_opens_triaged_then_moves_only_where_its_state_allows() -> None:
    deadline = Deadline(date(2027, 1, 19), "remittance_date")
    case = Case.open(opening(), triaged("CO", "197", "N54"), deadline=deadline, priority=200, automatic=False)
    (event,) = case.take_events()
    assert isinstance(event, DenialTriaged) and event.category == "authorization" and event.recoverable == 140
    case.assign("ana@billing", "lead@billing")
    case.resolve("written_off", "ana@billing", written_off=Decimal("140"))
    (resolved,) = case.take_events()
    assert isinstance(resolved, DenialResolved) and resolved.automatic is False and resolved.written_off == 140
    with pytest.raises(IllegalTransition):
        case.resolve("overturned", "ana@billing")
    with pytest.raises(IllegalTransition):
        case.assign("bo@billing", "lead@billing")
    assert [e.action for e in case.history] == ["triaged", "assigned", "resolved"]


def test_a_lost_appeal_reopens_the_case_and_says_so() -> None:
    deadline = Deadline(date(2027, 1, 19), "remittance_date")
    case = Case.open(opening(), triaged("CO", "50"), deadline=deadline, priority=200, automatic=False)
    case.appealed("ana@billing", uuid4())
    case.take_events()
    case.reopen("the payer upheld its denial")
    (reopened,) = case.take_events()
    assert isinstance(reopened, DenialReopened) and case.status == "open"
    assert [e.action for e in case.history][-1] == "reopened"


def test_a_duplicate_closes_only_when_the_original_was_paid() -> None:
    assert decide(opening(), triaged("OA", "18"), claim(original_paid=False)) is None
    assert decide(opening(), triaged("OA", "18"), claim(original_paid=True)) == Close("closed_informational")


def test_the_telehealth_place_is_the_payers_own() -> None:
    fix = decide(opening("SIMAHP"), triaged("CO", "16", "M77"), claim(place="10"))
    assert isinstance(fix, Correct) and fix.changes.place_of_service == "02"
    assert decide(opening("SIMAHP"), triaged("CO", "16", "M77"), claim(place="02")) is None  # nothing to change
    assert decide(opening("SIMAHP"), triaged("CO", "16", "M77"), claim(place="11")) is None  # not telehealth


def test_the_telehealth_modifier_replaces_one_the_payer_does_not_take() -> None:
    fix = decide(opening("SIMMCD", line=1), triaged("CO", "4", "N822"), claim(modifiers=["95", "HO"]))
    assert isinstance(fix, Correct)
    assert (fix.changes.add_modifiers, fix.changes.remove_modifiers) == ({1: ["GT"]}, {1: ["95"]})
    assert decide(opening("SIMMCD", line=1), triaged("CO", "4", "N822"), claim(modifiers=["GT"])) is None


def test_a_z_code_first_is_corrected_but_never_twice_by_machine() -> None:
    fix = decide(opening(), triaged("CO", "11"), claim())
    assert isinstance(fix, Correct) and fix.changes.mental_health_diagnosis_first
    again = claim(corrected_by_us_for=frozenset({"coding_diagnosis"}))
    assert decide(opening(), triaged("CO", "11"), again) is None


def test_timely_filing_is_appealed_only_with_an_acceptance_in_time() -> None:
    in_time = decide(opening("SIMAHP"), triaged("CO", "29"), claim(accepted_on=date(2026, 11, 5)))
    assert isinstance(in_time, Appeal) and "2026-11-05" in in_time.proof
    assert decide(opening("SIMAHP"), triaged("CO", "29"), claim(accepted_on=date(2027, 3, 1))) is None  # too late
    assert decide(opening("SIMAHP"), triaged("CO", "29"), claim()) is None  # no proof


def test_what_needs_a_person_is_not_decided() -> None:
    for carc, remark in (("197", "N54"), ("50", ""), ("170", "N95"), ("97", "M15")):
        assert decide(opening(), triaged("CO", carc, *[r for r in [remark] if r]), claim()) is None


def test_a_telehealth_visit_billed_at_the_office_place_gets_the_payers_telehealth_place() -> None:
    fix = decide(opening("SIMAHP"), triaged("CO", "5", "M77"), claim(place="11", modifiers=["95"]))
    assert isinstance(fix, Correct) and fix.changes.place_of_service == "02"
    assert decide(opening("SIMAHP"), triaged("CO", "5"), claim(place="11", modifiers=[])) is None  # in person


def test_a_pattern_is_suggested_once_it_recurs_and_only_where_a_rule_can_prevent_it() -> None:
    from denial_management.prevention import MIN_CLAIMS, Pattern, suggestion

    auth = Pattern("SIMBCX", "90837", "CO-197", "authorization", "attach the authorization")
    assert suggestion(auth, MIN_CLAIMS - 1, Decimal("300")) is None
    found = suggestion(auth, MIN_CLAIMS, Decimal("450"))
    assert found is not None and found.condition == "missing_authorization" and "3 claims" in found.message
    place = suggestion(Pattern("SIMAHP", "90834", "CO-5", "place_of_service", "use 02"), 4, Decimal("560"))
    assert place is not None and place.condition == "telehealth_at_office"
    bundled = suggestion(Pattern("SIMMCR", "90832", "CO-97", "bundling", "59 only when distinct"), 5, Decimal("1"))
    assert bundled is not None and bundled.condition == "always"
    for routine in ("patient_cost_share", "contractual", "duplicate", "timely_filing", "eligibility"):
        assert suggestion(Pattern("SIMMCR", "90834", "PR-1", routine, "-"), 9, Decimal("900")) is None


def test_an_authorization_denial_is_corrected_only_with_a_known_number_not_the_one_billed() -> None:
    for carc in ("197", "15"):
        fix = decide(opening(), triaged("CO", carc), claim(covering_authorization="PA-9"))
        assert isinstance(fix, Correct) and fix.prior_authorization_number == "PA-9"
    assert decide(opening(), triaged("CO", "197"), claim()) is None  # none on file: a person looks
    refused = claim(authorization_number="PA-9", covering_authorization="PA-9")
    assert decide(opening(), triaged("CO", "15"), refused) is None  # the payer refused that very number


def test_a_practices_own_facts_decide_its_fixes_over_ours() -> None:
    """The HMO takes 95 for telehealth, gives 90 days for a corrected claim and takes replacements: a practice whose
    contract says GT, 180 days and new originals gets those."""
    contract = [
        override(
            date(2026, 1, 1),
            None,
            {"telehealth_modifier": "GT", "corrected_claim": "180 days", "new_original_after_denial": True},
        )
    ]
    modifier = opening("SIMAHP", line=1), triaged("CO", "4", "N822"), claim(modifiers=["95"])
    assert decide(*modifier) is None  # ours: 95 is what the payer takes
    fix = decide(*modifier, contract)
    assert isinstance(fix, Correct) and fix.changes.add_modifiers == {1: ["GT"]}
    late = opening("SIMAHP"), triaged("CO", "29"), claim(accepted_on=date(2027, 3, 1))
    assert decide(*late) is None  # past our 90 days from 2026-11-02
    assert isinstance(decide(*late, contract), Appeal)  # within the contract's 180
    assert (resubmit_as(opening("SIMAHP")), resubmit_as(opening("SIMAHP"), contract)) == ("replacement", "new_original")
