"""Loading rule data: the CMS NCCI file layouts, effective dates, policy settings, identifiers."""

from dataclasses import replace
from datetime import date

import pytest
from charge_capture.coding import diagnoses, policy
from charge_capture.coding.rulebook import read_mue, read_ptp, shipped
from claimstream_platform.identifiers import npi_is_valid

PTP = (
    "CPT codes and descriptions only are copyright AMA (a note line the loader must skip)\n"
    "Column 1\tColumn 2\t*=in existence prior to 1996\tEffective Date\tDeletion Date *=no data\tModifier\tRationale\n"
    "90791\t90832\t\t20130101\t20260401\t0\tMutually exclusive procedures\n"
    "96136\t96138\t\t20200101\t*\t1\tStandards of medical practice\n"
)
MUE = (
    "HCPCS/CPT Code\tPractitioner Services MUE Values\tMUE Adjudication Indicator\tMUE Rationale\n"
    "90840\t3\t3 Date of Service Edit: Clinical\tClinical\n"
)


def test_ptp_rows_are_read_with_their_dates_and_modifier_indicator() -> None:
    deleted, open_ended = read_ptp(PTP)
    assert (deleted.column1, deleted.column2, deleted.modifier_indicator) == ("90791", "90832", 0)
    assert deleted.effective_to == date(2026, 3, 31)  # the deletion date is the first day it no longer applies
    assert open_ended.effective_to == date.max and open_ended.modifier_indicator == 1


def test_a_deleted_pair_edit_stops_applying_on_its_deletion_date() -> None:
    book = replace(shipped(), pair_edits=tuple(read_ptp(PTP)), _cache={})
    assert ("90791", "90832") in book.on(date(2026, 3, 31)).pair_edits
    assert ("90791", "90832") not in book.on(date(2026, 4, 1)).pair_edits


def test_mue_rows_take_the_quarter_date_when_the_file_has_none() -> None:
    (limit,) = read_mue(MUE, effective_from=date(2026, 1, 1))
    assert (limit.code, limit.max_units, limit.adjudication_indicator, limit.effective_from) == (
        "90840",
        3,
        3,
        date(2026, 1, 1),
    )


def test_the_shipped_fixture_loads() -> None:
    rules = shipped().on(date(2026, 3, 2))
    assert rules.unit_limits["90837"].max_units == 1
    assert rules.pair_edits[("90839", "90785")].modifier_indicator == 0
    assert rules.code("99214") is not None and rules.code("99214").category == "em"  # type: ignore[union-attr]
    assert rules.code("90837").label == "Psychotherapy about 60 minutes"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("settings", "problem"),
    [
        ({"video_modifer": "GT"}, "video_modifer: not a policy setting"),
        ({"telehealth_pos": "home"}, "telehealth_pos must be 02_10, 02 or in_person"),
        ({"audio_only_covered": "yes"}, "audio_only_covered must be true or false"),
        ({"credential_modifiers": {"LCSW": 1}}, "credential_modifiers must map names to codes"),
    ],
)
def test_bad_policy_settings_are_named(settings: dict[str, object], problem: str) -> None:
    assert problem in policy.check_settings(settings)


def test_good_policy_settings_pass() -> None:
    assert policy.check_settings({"video_modifier": "GT", "service_codes": {"psychotherapy": "H0004"}}) == []


@pytest.mark.parametrize(
    ("npi", "valid"),
    [("1234567893", True), ("1234567890", False), ("123456789", False), ("12345678931", False), ("12345678a3", False)],
)
def test_npi_check_digit(npi: str, valid: bool) -> None:
    assert npi_is_valid(npi) is valid


@pytest.mark.parametrize(("raw", "stored"), [("F331", "F33.1"), ("f33.1", "F33.1"), ("F32A", "F32.A"), ("F99", "F99")])
def test_diagnoses_are_stored_with_the_dot(raw: str, stored: str) -> None:
    assert diagnoses.well_formed(raw)
    assert diagnoses.normalise(raw) == stored


@pytest.mark.parametrize("raw", ["banana", "F3", "331", "F33.12345"])
def test_malformed_diagnoses_are_refused(raw: str) -> None:
    assert not diagnoses.well_formed(raw)


def test_every_shipped_code_has_a_daily_unit_limit() -> None:
    """A code without an MUE row would take any number of units; the fixture covers every code we bill."""
    book = shipped()
    rules = book.on(date(2026, 3, 2))
    missing = sorted(code for code in book.codes if rules.code(code) and code not in rules.unit_limits)
    assert missing == []
    assert rules.unit_limits["96127"].max_units == 3
