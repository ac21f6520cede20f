"""The triage table, deadlines across payers, priority, and the appeal letter. Pure."""

from datetime import date
from decimal import Decimal

import pytest
from claimstream_platform.payers import override, payer_facts
from claimstream_platform.pdf import render_pdf
from denial_management.deadlines import appeal_deadline, case_deadline, corrected_claim_deadline, priority
from denial_management.letter import letter_lines, packet
from denial_management.triage import Adjusted, _table, denied_amount, triage_denial, triage_rejection

# every denial code docs/money.md covers, with the root cause it must map to (the patient's share, contractual and
# payment adjustments and a prior payer's part are no denials: test_what_is_no_denial_opens_nothing)
COVERED = [
    ("CO", "4", ("N822",), "coding_modifier"),
    ("CO", "5", (), "place_of_service"),
    ("CO", "8", ("N95",), "credentialing"),
    ("CO", "11", (), "coding_diagnosis"),
    ("CO", "15", ("M62",), "authorization"),
    ("CO", "16", ("M77",), "place_of_service"),
    ("CO", "16", ("MA130",), "data_quality"),
    ("CO", "16", ("M51",), "data_quality"),
    ("OA", "18", (), "duplicate"),
    ("CO", "22", ("MA04",), "coordination_of_benefits"),
    ("CO", "26", (), "eligibility"),
    ("CO", "27", (), "eligibility"),
    ("CO", "29", (), "timely_filing"),
    ("CO", "31", (), "eligibility"),
    ("CO", "39", (), "authorization"),
    ("CO", "50", (), "medical_necessity"),
    ("CO", "58", (), "place_of_service"),
    ("CO", "96", ("N130",), "non_covered"),
    ("CO", "97", ("M15",), "bundling"),
    ("CO", "107", (), "coding_add_on"),
    ("CO", "B15", (), "coding_add_on"),
    ("CO", "109", (), "routing"),
    ("CO", "119", ("N640",), "benefit_limit"),
    ("CO", "146", (), "coding_diagnosis"),
    ("CO", "151", ("N362",), "units_frequency"),
    ("CO", "167", (), "coding_diagnosis"),
    ("CO", "170", ("N95",), "credentialing"),
    ("CO", "185", ("N290",), "credentialing"),
    ("CO", "197", ("N54",), "authorization"),
    ("CO", "198", (), "authorization"),
    ("CO", "204", (), "non_covered"),
    ("CO", "226", (), "documentation"),
    ("CO", "252", (), "documentation"),
    ("CO", "288", (), "authorization"),
    ("CO", "122", (), "psychiatric_reduction"),
    ("CO", "140", (), "eligibility"),
    ("CO", "171", ("N95",), "credentialing"),
    ("CO", "181", (), "coding_code_set"),
    ("CO", "182", (), "coding_code_set"),
    ("CO", "B7", (), "credentialing"),
    ("CO", "236", (), "bundling"),
    ("CO", "242", (), "network"),
    ("CO", "243", (), "network"),
]


@pytest.mark.parametrize(("group", "carc", "remarks", "category"), COVERED)
def test_each_covered_code_has_its_root_cause(group: str, carc: str, remarks: tuple[str, ...], category: str) -> None:
    found = triage_denial([Adjusted(group, carc, Decimal("100"))], list(remarks))
    assert found.category == category and found.action
    assert found.codes[0] == f"{group}-{carc}"


def test_the_denial_is_triaged_not_the_write_off_or_the_patient_share() -> None:
    adjusted = [
        Adjusted("CO", "45", Decimal("40"), "contractual"),
        Adjusted("PR", "2", Decimal("220"), "patient_cost_share"),  # the largest amount, but the patient's
        Adjusted("CO", "197", Decimal("120")),
    ]
    found = triage_denial(adjusted, ["N54"])
    assert (found.category, found.appeal, found.codes) == ("authorization", True, ("CO-197", "N54"))
    assert denied_amount(adjusted) == Decimal("120")


def test_what_is_no_denial_opens_nothing() -> None:
    deductible = [Adjusted("CO", "45", Decimal("40"), "contractual"), Adjusted("PR", "1", Decimal("60"), "patient")]
    assert denied_amount(deductible) == 0
    assert triage_denial(deductible, []).category == "unclassified"  # never asked: no case opens without a denial


def test_fixes_only_where_mechanical_and_an_unknown_code_goes_to_a_person() -> None:
    assert triage_denial([Adjusted("CO", "4", Decimal(1))], ["N822"]).fix == "telehealth_modifier"
    assert triage_denial([Adjusted("CO", "4", Decimal(1))], ["N519"]).fix is None  # which modifier: not determined
    unknown = triage_denial([Adjusted("CO", "999", Decimal(1))], [])
    assert (unknown.category, unknown.fix) == ("unclassified", None)


@pytest.mark.parametrize(
    ("rule", "category"),
    [
        ("277CA.A3.33", "eligibility"),
        ("277CA.A3.21", "data_quality"),
        ("277CA.A7.562", "data_quality"),
        ("277CA.A6.464", "data_quality"),
        ("277CA.A8.1", "data_quality"),
        ("277CA.A4.35", "data_quality"),
        ("999.IK3.8", "data_quality"),
        ("999.rejected", "data_quality"),
    ],
)
def test_rejections_are_kept_apart_and_triaged_by_category_and_status(rule: str, category: str) -> None:
    found = triage_rejection([rule])
    assert (found.category, found.fix, found.appeal) == (category, None, False)


FIXES = (
    None,
    "duplicate",
    "telehealth_modifier",
    "telehealth_place",
    "diagnosis_order",
    "timely_filing",
    "authorization",
)


def test_the_table_is_ours_every_entry_complete() -> None:
    for entry in _table()["denial"]:
        assert {"carc", "category", "action"} <= set(entry), entry
        assert entry.get("fix") in FIXES


@pytest.mark.parametrize(
    ("payer", "denied", "appeal_by", "served", "correct_by"),
    [
        ("SIMMCR", date(2026, 3, 1), date(2026, 6, 29), date(2026, 2, 28), date(2027, 2, 28)),  # 120 days; a year
        ("SIMMCD", date(2026, 3, 1), date(2026, 5, 30), date(2026, 1, 15), date(2026, 7, 14)),  # 90; 180 days
        ("SIMAHP", date(2026, 3, 1), date(2026, 4, 30), date(2026, 1, 15), date(2026, 4, 15)),  # 60; 90 days
        ("SIMBCX", date(2026, 3, 1), date(2026, 8, 28), date(2026, 1, 15), date(2026, 5, 15)),  # 180; 120 days
        ("UNKNOWN", date(2026, 3, 1), date(2026, 4, 30), date(2026, 1, 15), date(2026, 4, 15)),  # the defaults
    ],
)
def test_deadlines_across_payers(payer: str, denied: date, appeal_by: date, served: date, correct_by: date) -> None:
    assert appeal_deadline(payer, denied) == appeal_by
    assert corrected_claim_deadline(payer, served) == correct_by


def test_payer_terms_for_telehealth() -> None:
    medicaid = payer_facts("SIMMCD", on=date(2026, 3, 1))
    assert (medicaid.telehealth_modifier, medicaid.telehealth_place) == ("GT", "02")
    assert payer_facts("nobody", on=date(2026, 3, 1)).telehealth_modifier == "95"


def test_a_near_deadline_outranks_more_money_far_away() -> None:
    today = date(2026, 3, 1)
    near = priority(Decimal("100"), date(2026, 3, 4), today)
    far = priority(Decimal("500"), date(2026, 5, 30), today)
    assert near > far and (near, far) == (1100, 666)
    assert priority(Decimal("100"), date(2026, 2, 1), today) == 100  # past: only its dollars
    assert priority(Decimal("80"), None, today) == 80


def test_an_appeal_letter_is_a_pdf_that_carries_the_claim_the_denial_and_the_facts() -> None:
    appeal = packet(
        {"payer_id": "SIMAHP", "denied_on": "2026-11-20", "codes": ["CO-29"], "amount": "140.00"},
        {"patient_control_number": "CS42", "payer_claim_number": "AHP9", "service_date": "2026-11-02"},
        "The claim was filed in time (see below).",
        ["accepted on 2026-11-05 (277CA)", "Ünïcode (ok)"],
        date(2026, 11, 21),
    )
    lines = letter_lines(appeal)
    assert any("CS42" in line and "AHP9" in line for line in lines) and "- accepted on 2026-11-05 (277CA)" in lines
    pdf = render_pdf(lines * 5)  # long enough for two pages
    assert pdf.startswith(b"%PDF-1.4") and pdf.rstrip().endswith(b"%%EOF")
    assert b"/Count 2" in pdf and b"(CS42" not in pdf.split(b"stream")[0]
    assert b"\\(277CA\\)" in pdf  # parentheses escaped inside PDF strings
    start = int(pdf.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    assert pdf[start:].startswith(b"xref")  # the cross-reference table is where the trailer says
    offsets = [int(line[:10]) for line in pdf[start:].split(b"\n")[3:] if line.endswith(b" n ")]
    assert all(pdf[offset:].split(b" ")[1] == b"0" and b" obj" in pdf[offset : offset + 12] for offset in offsets)


def test_an_appeal_counts_from_the_remittance_and_a_later_payers_correction_from_the_prior_payment() -> None:
    paid_on, served, primary_paid = date(2026, 3, 10), date(2026, 1, 15), date(2026, 2, 20)
    appeal = case_deadline("SIMMCD", appeal=True, denied_on=paid_on, service_date=served, prior_payer_paid_on=None)
    assert (appeal.day, appeal.basis) == (date(2026, 6, 8), "remittance_date")  # 90 days from the 835's date
    own = case_deadline("SIMMCD", appeal=False, denied_on=paid_on, service_date=served, prior_payer_paid_on=None)
    assert (own.day, own.basis) == (date(2026, 7, 14), "service_date")
    later = case_deadline(
        "SIMMCD", appeal=False, denied_on=paid_on, service_date=served, prior_payer_paid_on=primary_paid
    )
    assert (later.day, later.basis) == (date(2026, 8, 19), "prior_payer_paid_on")  # 180 days from the EOB


def test_a_practices_own_timely_filing_moves_its_corrected_claim_deadline_not_its_appeal() -> None:
    served, denied = date(2026, 1, 15), date(2026, 3, 1)
    contract = [override(date(2025, 1, 1), None, {"timely_filing": "180 days"})]
    ours = case_deadline("SIMBCX", appeal=False, denied_on=denied, service_date=served, prior_payer_paid_on=None)
    own = case_deadline(
        "SIMBCX", appeal=False, denied_on=denied, service_date=served, prior_payer_paid_on=None, overrides=contract
    )
    assert (ours.day, own.day) == (date(2026, 5, 15), date(2026, 7, 14))  # 120 days; the contract's 180
    assert appeal_deadline("SIMBCX", denied, contract) == appeal_deadline("SIMBCX", denied) == date(2026, 8, 28)
    ended = [override(date(2025, 1, 1), date(2026, 1, 1), {"timely_filing": "180 days"})]
    assert corrected_claim_deadline("SIMBCX", served, overrides=ended) == date(2026, 5, 15)  # no longer in force
