"""The 835 reader and the balancing rules: the public corpus, precise reasons, and a cent out caught."""

import csv
from decimal import Decimal

import pytest
from claimstream_platform.x12 import X12Error
from hypothesis import given, settings
from hypothesis import strategies as st
from remittance_posting.balance import imbalances
from remittance_posting.era import interchanges, payment_from_json, payment_to_json, read_file
from remittance_testkit import Line, Payment, era
from x12_corpus import CORPUS, MISSING

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason=MISSING)
READABLE = [
    "LinuxForHealth-x12/medicare-part-a.835",
    "OopFactory-X12Parser/INS/_835/_5010/ExampleFromNth.txt",
    "edi-835-parser/emedny_sample.txt",
    "edi-835-parser/united_healthcare_legacy_sample.txt",
    "pyx12/835_mult_loops.txt",
    "stupidedi/X221A1 HP835 Health Care Claim Payment Advice/pass/dollars-and-data-sent-separate.edi",
    "stupidedi/X221A1 HP835 Health Care Claim Payment Advice/pass/dollars-and-data-sent-together.edi",
    "stupidedi/X221A1 HP835 Health Care Claim Payment Advice/pass/era-sample.edi",
    "stupidedi/X221A1 HP835 Health Care Claim Payment Advice/pass/multiple-claims-single-check.edi",
    "stupidedi/X221A1 HP835 Health Care Claim Payment Advice/pass/secondary-payment-with-higher-fee-schedule.edi",
    "stupidedi/X221A1 HP835 Health Care Claim Payment Advice/pass/secondary-payments.edi",
    "stupidedi/X221A1 HP835 Health Care Claim Payment Advice/pass/tertiary-payments.edi",
]
# Files that are malformed (on purpose or by age), each refused with the segment, position and reason.
REFUSED = {
    "edi-835-parser/blue_cross_nc_sample.txt": "segment 1 (ISA)",  # starts at ST: no envelope
    "stupidedi/X221 HP835 Health Care Claim Payment Advice/case/2.edi": "segment 1 (ISA)",  # prose before ISA
    "OopFactory-X12Parser/INS/_835/_5010/Example1.txt": "(CLP), element 3",  # a CLP with no charge
    "LinuxForHealth-x12/secondary-payment.835": "(SVC), element 1",  # '>' in SVC01, ':' in the ISA
    "LinuxForHealth-x12/managed-care.835": "(BPR), element 16",  # BPR16 20002316 is no date
}


def _text(name: str) -> str:
    return (CORPUS / name).read_text(errors="replace")


@pytest.mark.parametrize("name", READABLE)
def test_every_readable_corpus_835_is_read_to_its_claims(name: str) -> None:
    remittances = read_file(_text(name))
    assert remittances and all(r.trace_number for r in remittances)
    assert sum(len(r.claims) for r in remittances) >= 1 or any(r.provider_adjustments for r in remittances)


@pytest.mark.parametrize(("name", "where"), sorted(REFUSED.items()))
def test_a_malformed_835_is_refused_naming_the_segment_and_position(name: str, where: str) -> None:
    with pytest.raises(X12Error) as refused:
        read_file(_text(name))
    assert where in str(refused.value)


@pytest.mark.parametrize(
    "name", ["edi-835-parser/emedny_sample.txt", "edi-835-parser/united_healthcare_legacy_sample.txt"]
)
def test_the_corpus_expected_lines_and_paid_totals_are_reproduced(name: str) -> None:
    with (CORPUS / name.replace(".txt", ".expected.csv")).open() as expected_file:
        expected = list(csv.DictReader(expected_file))
    lines = [line for r in read_file(_text(name)) for claim in r.claims for line in claim.lines]
    assert len(lines) == len(expected)
    assert sum((line.paid for line in lines), Decimal(0)) == sum(Decimal(row["paid_amount"]) for row in expected)
    assert [line.code for line in lines] == [row["code"] for row in expected]


def test_a_file_with_three_interchanges_gives_every_remittance() -> None:
    text = _text("OopFactory-X12Parser/INS/_835/_5010/ExampleFromNth.txt")
    assert len(interchanges(text)) == 3
    assert len(read_file(text)) == 3


def test_the_corpus_files_that_state_their_totals_balance() -> None:
    for name in READABLE:
        if "ExampleFromNth" in name:  # de-identified: every digit became 9, so its money cannot balance
            continue
        for remittance in read_file(_text(name)):
            assert imbalances(remittance) == [], (name, [i.as_dict() for i in imbalances(remittance)])


def test_the_masked_file_is_held_with_each_difference_named() -> None:
    (first, *_rest) = read_file(_text("OopFactory-X12Parser/INS/_835/_5010/ExampleFromNth.txt"))
    found = imbalances(first)
    assert found and all(i.level in ("line", "claim", "transaction") and i.position > 0 for i in found)


amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("5000"), places=2)


@settings(max_examples=60, deadline=None)
@given(
    charges=st.lists(amounts, min_size=1, max_size=4),
    share=st.integers(0, 100),
    cents=st.sampled_from([-1, 1]),
    where=st.sampled_from(["line", "claim", "transaction"]),
)
def test_balancing_holds_for_any_amounts_and_catches_one_cent(
    charges: list[Decimal], share: int, cents: int, where: str
) -> None:
    lines = [Line(charge=c, adjustments=[("CO", "45", (c * share / 100).quantize(Decimal("0.01")))]) for c in charges]
    (balanced,) = read_file(era(Payment("CS1", lines=lines)))
    assert imbalances(balanced) == []
    cent = Decimal(cents) / 100
    if where == "line":
        lines[0].paid_delta = cent  # SVC03 a cent out; CLP04 still the sum of what the lines should pay
        text = era(Payment("CS1", lines=lines))
    elif where == "claim":
        text = era(Payment("CS1", lines=lines, paid_delta=cent))
    else:
        text = era(Payment("CS1", lines=lines), total_delta=cent)
    found = imbalances(read_file(text)[0])
    assert found and any(i.level == where and abs(i.difference) == abs(cent) for i in found), found


def test_a_claim_payment_survives_storage_exactly() -> None:
    line = Line(modifiers=("95", "HO"), control_number="CS1-1", billed=("90834",), remarks=("N362",))
    (remittance,) = read_file(era(Payment("CS1", lines=[line], claim_adjustments=[("PR", "3", Decimal("20"))])))
    payment = remittance.claims[0]
    assert payment_from_json(payment_to_json(payment)) == payment


@pytest.mark.parametrize(("trailer", "wrong"), [("GE*1*1~", "GE*2*1~"), ("GE*1*1~", "GE*1*9~")])
def test_a_group_its_ge_trailer_does_not_close_is_refused_at_its_gs(trailer: str, wrong: str) -> None:
    text = era(Payment("CS1"))
    assert trailer in text
    with pytest.raises(X12Error) as refused:
        read_file(text.replace(trailer, wrong))
    assert (refused.value.position, refused.value.tag) == (2, "GS")


def test_a_claim_of_more_service_lines_than_the_guide_allows_is_refused_at_the_first_too_many() -> None:
    assert len(read_file(era(Payment("CS1", lines=[Line()] * 999)))[0].claims[0].lines) == 999
    with pytest.raises(X12Error) as refused:
        read_file(era(Payment("CS1", lines=[Line()] * 1000)))
    assert refused.value.tag == "SVC" and "more than 999 service lines (loop 2110)" in refused.value.reason
