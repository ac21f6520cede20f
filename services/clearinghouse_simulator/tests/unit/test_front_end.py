"""Reading 837P, the 999 for structure, the 277CA for front-end edits; every file we write passes pyx12."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from claimstream_platform.x12 import parse_interchange
from claimstream_platform.x12.p837 import Claim, TransactionReading, read_837
from clearinghouse_simulator.acks import ClaimAck, GroupResult, TransactionResult, build_277ca, build_999
from clearinghouse_simulator.frontend import ACCEPTED, claim_status
from clearinghouse_simulator.outbound import Envelope
from pyx12_check import pyx12_problems
from x12_samples import SampleClaim, SampleLine, make_837

ENVELOPE = Envelope("ZZ", "SUBMITTER1", "000000501", "501", datetime(2026, 3, 5, 12, 1))


def read(text: str) -> TransactionReading:
    interchange = parse_interchange(text)
    return read_837(interchange.groups[0].transactions[0], interchange.delimiters)


def only_claim(**changes: object) -> Claim:
    (claim,) = read(make_837([SampleClaim(**changes)])).claims  # type: ignore[arg-type]
    return claim


def test_the_sample_837_is_valid_and_reads_completely() -> None:
    text = make_837(
        [
            SampleClaim(),
            SampleClaim(
                pcn="PCN2",
                place_of_service="10",
                diagnoses=("F411", "Z630"),
                prior_authorization="AUTH77",
                lines=[SampleLine("90837", ("95", "HO"), Decimal("150.00")), SampleLine("90785", (), Decimal("20.50"))],
            ),
        ]
    )
    assert pyx12_problems(text) == []
    reading = read(text)
    assert reading.errors == []
    first, second = reading.claims
    assert (first.patient_control_number, first.total_charge, first.payer_id, first.member_id) == (
        "PCN0001",
        Decimal("120.00"),
        "SIMMCR",
        "1EG4TE5MK73",
    )
    assert (first.billing_npi, first.rendering_npi, first.rendering_taxonomy) == (
        "1679576722",
        "1245319599",
        "1041C0700X",
    )
    assert first.subscriber.birth_date == date(1970, 1, 31)
    assert (second.place_of_service, second.diagnoses, second.prior_authorization) == ("10", ["F411", "Z630"], "AUTH77")
    assert [(line.code, line.modifiers, line.charge) for line in second.lines] == [
        ("90837", ["95", "HO"], Decimal("150.00")),
        ("90785", [], Decimal("20.50")),
    ]
    assert second.lines[0].control_number == "PCN2L1" and second.lines[0].service_date == date(2026, 3, 2)


@pytest.mark.parametrize(
    ("mangle", "expected"),
    [
        (lambda t: t.replace("HI*ABK:F331~\n", ""), ("HI", "3", [])),
        (lambda t: t.replace("CLM*PCN0001*120*", "CLM*PCN0001*12X*"), ("CLM", "8", [("2", "782", "6")])),
        (lambda t: t.replace("DTP*472*D8*20260302", "DTP*472*D8*20260231"), ("DTP", "8", [("3", "1251", "8")])),
        (
            lambda t: t.replace("SV1*HC:90834*120*UN*1***1", "SV1*HC:90834*120*UN*X***1"),
            ("SV1", "8", [("4", "380", "6")]),
        ),
        (lambda t: t.replace("PER*IC", "ZZZ*IC"), ("ZZZ", "1", [])),
    ],
)
def test_structural_errors_are_located(mangle, expected) -> None:  # type: ignore[no-untyped-def]
    reading = read(mangle(make_837([SampleClaim()])))
    assert reading.claims == []
    tag, code, elements = expected
    error = reading.errors[0]
    assert (error.tag, error.code) == (tag, code)
    assert [(e.position, e.reference, e.code) for e in error.elements] == elements
    assert error.position > 1


def test_999_accepts_and_rejects_per_transaction_and_validates() -> None:
    bad = read(make_837([SampleClaim()]).replace("CLM*PCN0001*120*", "CLM*PCN0001*12X*"))
    group = GroupResult(
        "HC",
        "101",
        "005010X222A1",
        [
            TransactionResult("837", "0001", "005010X222A1", [], []),
            TransactionResult("837", "0002", "005010X222A1", bad.errors, []),
            TransactionResult("837", "0003", "005010X222A1", [], ["4"]),
        ],
        [],
    )
    text = build_999(group, ENVELOPE)
    assert pyx12_problems(text) == []
    assert "IK5*A~" in text and "IK3*CLM*" in text and "IK4*2*782*6~" in text and "IK5*R*4~" in text
    assert "AK9*P*3*3*1~" in text
    all_bad = build_999(GroupResult("HC", "101", "005010X222A1", group.transactions[1:], []), ENVELOPE)
    assert "AK9*R*2*2*0~" in all_bad and pyx12_problems(all_bad) == []


def known(_payer: str, member: str) -> bool:
    return member == "1EG4TE5MK73"


@pytest.mark.parametrize(
    ("changes", "status"),
    [
        ({}, ACCEPTED),
        ({"payer_id": "NOPE"}, "A3:116"),
        ({"billing_npi": "1679576723"}, "A7:562:85"),
        ({"member_id": "UNKNOWN1"}, "A3:33:IL"),
        ({"diagnoses": ("F32",)}, "A7:254"),
        ({"diagnoses": ("F331", "Z99999")}, "A7:255"),
        ({"frequency": "7"}, "A6:464"),
        ({"frequency": "7", "original_reference": "SIMMCR100001"}, ACCEPTED),
    ],
)
def test_front_end_edits(changes: dict[str, object], status: str) -> None:
    claim = only_claim(**changes)
    assert claim_status(claim, payer_known=claim.payer_id != "NOPE", member_known=known) == status


def test_out_of_balance_claim_is_rejected() -> None:
    claim = only_claim().model_copy(update={"total_charge": Decimal("999.00")})
    assert claim_status(claim, payer_known=True, member_known=known) == "A7:400"


def test_277ca_for_accepted_and_rejected_claims_validates() -> None:
    claims = read(make_837([SampleClaim(), SampleClaim(pcn="PCN2", member_id="UNKNOWN1")])).claims
    acks = [ClaimAck(claims[0], ACCEPTED, "SIMMCR100001"), ClaimAck(claims[1], "A3:33:IL", None)]
    text = build_277ca(acks, submitter_name="DEMO BILLING", submitter_id="SUBMITTER1", envelope=ENVELOPE)
    assert pyx12_problems(text) == []
    assert "STC*A2:20*20260305*WQ*120~" in text and "REF*1K*SIMMCR100001~" in text
    assert "STC*A3:33:IL*20260305*U*120~" in text
    assert "QTY*90*1~" in text and "QTY*AA*1~" in text
