"""Coordination of benefits: the secondary claim built from the primary's posting, written and read back."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from claim_submission.domain.content import content_of, duplicate_key
from claim_submission.inbound.coordination import adjudication_of, next_payer, unbalanced
from claim_submission.outbound.x837 import ClaimToSend, Party, Submitter, build_837
from claims_testkit import charges
from claimstream_platform.contracts.remittance_posting import PaymentPosted
from claimstream_platform.x12 import parse_interchange
from claimstream_platform.x12.p837 import read_837
from cob_testkit import SECONDARY, TERTIARY, TWO_LINES, adjustment, posting
from pyx12_check import pyx12_problems

SUBMITTER = Submitter("HARBORBILL", "HARBOR BILLING CO", "EDI DESK", "5035550142")
RECEIVER = Party("CLAIMSTREAMSIM", "SIMULATOR")
NOW = datetime(2026, 11, 27, 10, 0)


def primary_content(*others: dict[str, Any]) -> Any:
    event = charges(lines=TWO_LINES, total_amount=Decimal("225.00"), other_coverages=list(others))
    return content_of(event).content


def written(content: Any, number: str = "CS2-1") -> str:
    return build_837(
        [ClaimToSend(number, "1", content)], submitter=SUBMITTER, receiver=RECEIVER, control_number="7", now=NOW
    )


def read_one(text: str) -> Any:
    interchange = parse_interchange(text)
    reading = read_837(interchange.groups[0].transactions[0], interchange.delimiters)
    assert reading.errors == []
    return reading.claims[0]


def test_the_primary_claim_names_the_secondary_payer_without_amounts() -> None:
    text = written(primary_content(SECONDARY))
    assert pyx12_problems(text) == []
    claim = read_one(text)
    assert claim.responsibility == "P" and claim.payer_id == "SIMMCR"
    assert [(o.responsibility, o.payer_id, o.paid) for o in claim.other_payers] == [("S", "SIMBCX", None)]
    assert "AMT*D" not in text and "SVD*" not in text


def test_the_secondary_claim_carries_the_primarys_payment_and_balances() -> None:
    primary = primary_content(SECONDARY)
    secondary = next_payer(primary, "partially_paid", adjudication_of(posting(), paid_on=date(2026, 11, 21)))
    assert secondary is not None
    assert secondary.payer.payer_id == "SIMBCX" and secondary.responsibility == "secondary"
    assert secondary.coverage.member_id == "XYZ123456" and secondary.lines == primary.lines
    assert unbalanced(secondary) == []
    text = written(secondary)
    assert pyx12_problems(text) == []
    claim = read_one(text)
    assert claim.responsibility == "S" and claim.payer_id == "SIMBCX" and claim.relationship != "18"
    [other] = claim.other_payers
    assert (other.responsibility, other.payer_id, other.paid) == ("P", "SIMMCR", Decimal("100"))
    assert other.patient_responsibility == Decimal("65")
    paid_by_line = [
        [(a.payer_id, a.paid, a.patient_responsibility) for a in line.adjudications] for line in claim.lines
    ]
    assert paid_by_line == [[("SIMMCR", Decimal("100"), Decimal("25"))], [("SIMMCR", Decimal("0"), Decimal("40"))]]
    assert "DTP*573*D8*20261120" in text and "REF*F8*MCR-555" in text
    assert claim.original_reference == ""  # 2330B REF*F8 is the other payer's number, not a correction's


def test_claim_level_adjustments_go_to_2320_and_the_lines_keep_their_own() -> None:
    event = posting(
        adjustments=[*posting().adjustments, adjustment("PR", "1", "10")], paid="90", patient_responsibility="75"
    )
    done = adjudication_of(event, paid_on=date(2026, 11, 21))
    assert [(a.group, a.reason, a.amount) for a in done.claim_adjustments] == [("PR", "1", Decimal("10"))]
    assert done.patient_responsibility == Decimal("75")
    secondary = next_payer(primary_content(SECONDARY), "partially_paid", done)
    assert secondary is not None and unbalanced(secondary) == []
    text = written(secondary)
    assert "CAS*PR*1*10~AMT*D*90~AMT*EAF*75" in text.replace("\n", "")
    assert pyx12_problems(text) == []


def test_a_cent_out_is_found() -> None:
    done = adjudication_of(posting(paid="100.01"), paid_on=date(2026, 11, 21))
    secondary = next_payer(primary_content(SECONDARY), "partially_paid", done)
    assert secondary is not None and unbalanced(secondary) == ["SIMMCR claim"]


@pytest.mark.parametrize("outcome", ["forwarded", "reversed", "informational"])
def test_a_crossover_or_reversal_bills_nobody(outcome: str) -> None:
    done = adjudication_of(posting(), paid_on=date(2026, 11, 21))
    assert next_payer(primary_content(SECONDARY), outcome, done) is None


def test_a_claim_the_payer_forwarded_itself_bills_nobody_whatever_its_outcome() -> None:
    """CLP02 19: the primary's adjustments stand (partially paid here) and the crossover payer has the claim."""
    done = adjudication_of(posting(), paid_on=date(2026, 11, 21))
    assert next_payer(primary_content(SECONDARY), "partially_paid", done, forwarded=True) is None


def test_nothing_left_for_the_patient_bills_nobody_and_no_coverage_bills_nobody() -> None:
    lines = [
        {
            "line_number": 1,
            "code": "90837",
            "modifiers": ["95"],
            "charge": "185",
            "paid": "125",
            "adjustments": [adjustment("CO", "45", "60")],
            "remarks": [],
        }
    ]
    paid_in_full = posting(
        lines=lines, adjustments=lines[0]["adjustments"], charge="185", paid="125", patient_responsibility="0"
    )
    assert next_payer(primary_content(SECONDARY), "paid", adjudication_of(paid_in_full, paid_on=NOW.date())) is None
    assert next_payer(primary_content(), "partially_paid", adjudication_of(posting(), paid_on=NOW.date())) is None


# The secondary's answer to the tertiary patient's claim: line 1 mostly left to the next payer (OA-23), line 2 paid.
SECONDARYS_LINES = [
    {
        "line_number": 1,
        "code": "90837",
        "modifiers": ["95"],
        "charge": "185",
        "paid": "20",
        "adjustments": [adjustment("OA", "23", "160"), adjustment("PR", "2", "5")],
        "remarks": [],
    },
    {
        "line_number": 2,
        "code": "90785",
        "modifiers": ["95"],
        "charge": "40",
        "paid": "40",
        "adjustments": [],
        "remarks": [],
    },
]


def by_secondary() -> PaymentPosted:
    return posting(
        payer_id="SIMBCX",
        claim_status="2",
        lines=SECONDARYS_LINES,
        paid="60",
        patient_responsibility="5",
        adjustments=[a for line in SECONDARYS_LINES for a in line["adjustments"]],
    )


def test_the_tertiary_claim_carries_both_earlier_payers() -> None:
    primary = primary_content(SECONDARY, TERTIARY)
    secondary = next_payer(primary, "partially_paid", adjudication_of(posting(), paid_on=date(2026, 11, 21)))
    assert secondary is not None
    assert [(o.responsibility, o.adjudication is not None) for o in secondary.other_payers] == [
        ("primary", True),
        ("tertiary", False),
    ]
    tertiary = next_payer(secondary, "partially_paid", adjudication_of(by_secondary(), paid_on=date(2026, 11, 25)))
    assert tertiary is not None and tertiary.payer.payer_id == "SIMMCD" and tertiary.responsibility == "tertiary"
    assert [o.payer.payer_id for o in tertiary.other_payers] == ["SIMMCR", "SIMBCX"]
    assert unbalanced(tertiary) == []
    text = written(tertiary)
    assert pyx12_problems(text) == []
    claim = read_one(text)
    assert claim.responsibility == "T"
    assert [a.payer_id for a in claim.lines[0].adjudications] == ["SIMMCR", "SIMBCX"]


def test_a_later_payers_claim_is_not_a_duplicate_of_the_primarys() -> None:
    primary = primary_content(SECONDARY)
    secondary = next_payer(primary, "partially_paid", adjudication_of(posting(), paid_on=NOW.date()))
    assert secondary is not None
    assert duplicate_key(secondary) != duplicate_key(primary)
    assert duplicate_key(primary) == duplicate_key(primary_content())  # the primary's key is unchanged


def test_the_secondary_names_the_units_the_primary_paid_not_those_billed() -> None:
    """2430 SVD05 is the units the other payer paid (SVC05), which may be fewer than the line billed."""
    billed_two = [{**TWO_LINES[0], "units": 2, "amount": Decimal("185.00")}, TWO_LINES[1]]
    primary = content_of(charges(lines=billed_two, total_amount=Decimal("225.00"), other_coverages=[SECONDARY]))
    paid_one = posting()
    paid_one.lines[0] = paid_one.lines[0].model_copy(update={"units_paid": Decimal(1)})
    done = adjudication_of(paid_one, paid_on=date(2026, 11, 21))
    secondary = next_payer(primary.content, "partially_paid", done)
    assert secondary is not None
    text = written(secondary)
    assert "SVD*SIMMCR*100*HC:90837:95**1~" in text and "SV1*HC:90837:95*185*UN*2" in text
    assert pyx12_problems(text) == []
