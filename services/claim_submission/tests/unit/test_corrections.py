"""A correction's concrete changes: place of service, modifiers, the principal diagnosis with its pointers."""

from decimal import Decimal

from claim_submission.intake.changes import apply_changes
from claims_testkit import claim_content
from claimstream_platform.contracts.denial_management import CorrectionChanges

LINES = [
    {
        "line_number": 1,
        "code": "90837",
        "modifiers": ["HO"],
        "units": 1,
        "amount": Decimal("185"),
        "diagnosis_pointers": [1, 2],
    },
    {
        "line_number": 2,
        "code": "90785",
        "modifiers": [],
        "units": 1,
        "amount": Decimal("20"),
        "diagnosis_pointers": [2],
    },
]


def test_no_changes_is_the_same_content() -> None:
    content = claim_content(lines=LINES)
    assert apply_changes(content, None) == content


def test_place_of_service_and_modifiers_change_where_named() -> None:
    content = claim_content(lines=LINES, place_of_service="10")
    changes = CorrectionChanges(
        place_of_service="02", add_modifiers={1: ["95"], 2: ["95"]}, remove_modifiers={1: ["HO"]}
    )
    fixed = apply_changes(content, changes)
    assert fixed.place_of_service == "02"
    assert [line.modifiers for line in fixed.lines] == [["95"], ["95"]]
    assert fixed.lines[0].amount == content.lines[0].amount and fixed.diagnoses == content.diagnoses


def test_an_added_modifier_never_makes_five_or_repeats() -> None:
    lines = [{**LINES[0], "modifiers": ["HO", "59", "XU", "GT"]}]
    fixed = apply_changes(claim_content(lines=lines), CorrectionChanges(add_modifiers={1: ["95", "HO"]}))
    assert fixed.lines[0].modifiers == ["95", "HO", "59", "XU"]


def test_the_first_f_code_becomes_principal_and_pointers_follow_it() -> None:
    content = claim_content(lines=LINES, diagnoses=["Z63.0", "F33.1", "F41.1"])
    fixed = apply_changes(content, CorrectionChanges(mental_health_diagnosis_first=True))
    assert fixed.diagnoses == ["F33.1", "Z63.0", "F41.1"]
    # line 1 pointed at Z63.0 and F33.1, line 2 at F33.1: the same codes, at their new places
    assert [line.diagnosis_pointers for line in fixed.lines] == [[2, 1], [1]]
    already = claim_content(lines=LINES, diagnoses=["F33.1", "Z63.0"])
    assert apply_changes(already, CorrectionChanges(mental_health_diagnosis_first=True)) == already
