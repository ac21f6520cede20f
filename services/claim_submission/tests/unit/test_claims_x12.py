"""The 837P we write: valid for pyx12, read back whole, whatever the text in it."""

from decimal import Decimal
from typing import Any

import pytest
from claim_submission.domain.content import ClaimContent
from claim_submission.outbound.x837 import ClaimToSend
from claims_testkit import ADDRESS, claim_content
from claimstream_platform.x12 import X12Error, parse_interchange
from claimstream_platform.x12.p837 import read_837
from claimstream_platform.x12.text import x12_text
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyx12_check import pyx12_problems
from x12_corpus import CORPUS, MISSING
from x837_testkit import read_back, write

lines = st.lists(
    st.builds(
        dict,
        code=st.sampled_from(["90837", "90834", "90832", "90791", "99214", "90836", "90785", "90853", "H0004"]),
        modifiers=st.lists(st.sampled_from(["95", "93", "HO", "HP", "25", "59", "GT"]), max_size=4, unique=True),
        units=st.integers(min_value=1, max_value=8),
        amount=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999.99"), places=2),
        pointers=st.lists(st.integers(min_value=1, max_value=3), min_size=1, max_size=3, unique=True),
    ),
    min_size=1,
    max_size=6,
)


person = {"first_name": "Pat", "last_name": "Doe", "birth_date": "1975-02-02", "sex": "M", "address": ADDRESS}


def generated(
    claim_lines: list[dict[str, Any]],
    relationship: str,
    place: str,
    authorization: str | None,
    rendering_is_billing: bool,
) -> ClaimContent:
    """The claim a generated case describes (its rendering provider the billing one when `rendering_is_billing`)."""
    coded = claim_content(
        place_of_service=place,
        diagnoses=["F33.1", "F41.1", "Z63.0"],
        lines=[
            {
                "line_number": n,
                "code": x["code"],
                "modifiers": x["modifiers"],
                "units": x["units"],
                "amount": x["amount"],
                "diagnosis_pointers": x["pointers"],
            }
            for n, x in enumerate(claim_lines, 1)
        ],
        coverage={
            "payer_id": "SIMBCX",
            "member_id": "M1",
            "relationship": relationship,
            "subscriber": None if relationship == "self" else person,
        },
        prior_authorization_number=authorization,
    )
    if not rendering_is_billing:
        return coded
    rendering = coded.rendering_provider.model_copy(update={"npi": coded.billing_provider.npi})
    return coded.model_copy(update={"rendering_provider": rendering})


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    claim_lines=lines,
    relationship=st.sampled_from(["self", "spouse", "child", "other"]),
    place=st.sampled_from(["11", "02", "10", "53"]),
    frequency=st.sampled_from(["1", "7", "8"]),
    authorization=st.sampled_from([None, "PA77"]),
    rendering_is_billing=st.booleans(),
)
def test_every_837p_validates_and_reads_back(
    claim_lines: list[dict[str, Any]],
    relationship: str,
    place: str,
    frequency: str,
    authorization: str | None,
    rendering_is_billing: bool,
) -> None:
    coded = generated(claim_lines, relationship, place, authorization, rendering_is_billing)
    number = "SIMBCX100001" if frequency != "1" else None
    text = write(
        ClaimToSend("CS0000000001", frequency, coded, number), ClaimToSend("CS0000000002", "1", claim_content())
    )
    assert pyx12_problems(text) == []
    first, second = read_back(text)
    assert first.total_charge == sum((x["amount"] for x in claim_lines), Decimal(0))  # CLM02 = sum of SV102
    assert [(line.code, line.modifiers, line.charge, int(line.units), line.pointers) for line in first.lines] == [
        (x["code"], x["modifiers"], x["amount"], x["units"], x["pointers"]) for x in claim_lines
    ]
    assert (first.patient_control_number, first.frequency, first.place_of_service) == ("CS0000000001", frequency, place)
    assert first.diagnoses == ["F331", "F411", "Z630"]
    assert first.original_reference == (number or "") and first.prior_authorization == (authorization or "")
    assert first.relationship == {"self": "18", "spouse": "01", "child": "19", "other": "G8"}[relationship]
    assert first.rendering_npi == ("" if rendering_is_billing else coded.rendering_provider.npi)
    assert second.patient_control_number == "CS0000000002"


def test_one_transaction_set_per_billing_provider() -> None:
    other = claim_content()
    other = other.model_copy(
        update={"billing_provider": other.billing_provider.model_copy(update={"npi": "1497758544"})}
    )
    text = write(
        ClaimToSend("CS1", "1", claim_content()),
        ClaimToSend("CS2", "1", other),
        ClaimToSend("CS3", "1", claim_content()),
    )
    transactions = parse_interchange(text).groups[0].transactions
    assert [t.control_number for t in transactions] == ["0001", "0002"]
    assert [c.patient_control_number for c in read_back(text)] == ["CS1", "CS3", "CS2"]
    assert pyx12_problems(text) == []


@pytest.mark.skipif(not CORPUS.is_dir(), reason=MISSING)
def test_every_corpus_837p_parses_or_names_its_defects() -> None:
    clean, defective = 0, 0
    for path in sorted(CORPUS.rglob("*")):
        text = path.read_text(encoding="utf-8-sig", errors="replace") if path.is_file() else ""
        if not text.lstrip().startswith("ISA"):
            continue
        try:
            interchange = parse_interchange(text)
        except X12Error:
            continue  # envelope defects: covered by the envelope tests
        for group in interchange.groups:
            for transaction in group.transactions:
                if transaction.set_id != "837" or "X222" not in (transaction.implementation or group.version):
                    continue
                reading = read_837(transaction, interchange.delimiters)
                if reading.errors:
                    defective += 1
                    assert all(e.position > 1 and e.tag and e.code for e in reading.errors)
                else:
                    clean += 1
                    assert reading.claims and all(c.lines for c in reading.claims)
    # 9 are defective on purpose or by accident (a ">" component separator the ISA does not declare, "XX"
    # procedure qualifiers, a missing CLM05 or HI)
    assert clean >= 55 and defective <= 10


hostile = st.text(
    alphabet=st.sampled_from([*"*~:^\x00\x07\n\r\t", *"ñéüÅøßŁ", *"張ש", *"ABCdef019 .'-&,"]), min_size=1, max_size=30
).filter(lambda value: len(x12_text(value)) >= 2)  # X12 minimum lengths (N401, NM109) are 2


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    first=hostile,
    last=hostile,
    street=hostile,
    city=hostile,
    member=hostile,
    group=hostile,
    practice=hostile,
    payer=hostile,
    authorization=hostile,
)
def test_hostile_text_in_every_free_text_field_gives_a_valid_837p(
    first: str,
    last: str,
    street: str,
    city: str,
    member: str,
    group: str,
    practice: str,
    payer: str,
    authorization: str,
) -> None:
    """Delimiters, control characters and non-ASCII anywhere an EHR or a biller types: pyx12 still accepts the
    file, and each field reads back as its sanitized value (nothing forged, nothing shifted)."""
    base = claim_content()
    address = base.patient.address.model_copy(update={"line1": street, "city": city})
    coded = base.model_copy(
        update={
            "patient": base.patient.model_copy(update={"first_name": first, "last_name": last}),
            "coverage": base.coverage.model_copy(update={"member_id": member, "group_number": group}),
            "billing_provider": base.billing_provider.model_copy(update={"name": practice}),
            "payer": base.payer.model_copy(update={"name": payer}),
            "prior_authorization_number": authorization,
        }
    )
    coded = coded.model_copy(update={"patient": coded.patient.model_copy(update={"address": address})})
    text = write(ClaimToSend("CS0000000001", "1", coded), ClaimToSend("CS0000000002", "1", claim_content()))
    assert text.isascii()
    assert pyx12_problems(text) == []
    first_claim, second_claim = read_back(text)
    assert (first_claim.subscriber.first_name, first_claim.subscriber.last_name) == (x12_text(first), x12_text(last))
    assert (first_claim.member_id, first_claim.group_number) == (x12_text(member), x12_text(group))
    assert (first_claim.billing_name, first_claim.payer_name) == (x12_text(practice), x12_text(payer))
    assert first_claim.prior_authorization == x12_text(authorization)
    assert [line.code for line in first_claim.lines] == ["90837"]
    assert second_claim.patient_control_number == "CS0000000002"


def test_munoz_is_written_as_clearinghouses_expect() -> None:
    base = claim_content()
    coded = base.model_copy(
        update={"patient": base.patient.model_copy(update={"last_name": "Muñoz", "first_name": "José"})}
    )
    text = write(ClaimToSend("CS0000000001", "1", coded))
    assert "NM1*IL*1*MUNOZ*JOSE*" in text
    assert pyx12_problems(text) == []
