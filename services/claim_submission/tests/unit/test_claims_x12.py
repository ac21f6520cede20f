"""The 837P we write (valid for pyx12, read back whole), the scrubber, and reading 999s and 277CAs."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from claim_submission.inbound.acknowledgments import read_277ca, read_999
from claim_submission.outbound.x837 import ClaimToSend, Party, Submitter, build_837
from claim_submission.scrubbing.payer_rules import rules_for
from claim_submission.scrubbing.scrub import scrub
from claims_testkit import ADDRESS, claim_content
from claimstream_platform.x12 import X12Error, parse_interchange
from claimstream_platform.x12.p837 import read_837
from claimstream_platform.x12.text import x12_text
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyx12_check import pyx12_problems
from x12_corpus import CORPUS, MISSING

SUBMITTER = Submitter("HARBORBILL", "HARBOR BILLING CO", "EDI DESK", "5035550142", "edi@harbor.example")
RECEIVER = Party("CLAIMSTREAMSIM", "SIMULATOR")
NOW = datetime(2026, 11, 27, 10, 0)


def write(*items: ClaimToSend) -> str:
    return build_837(list(items), submitter=SUBMITTER, receiver=RECEIVER, control_number="42", now=NOW)


def read_back(text: str) -> list[Any]:
    interchange = parse_interchange(text)
    claims = []
    for transaction in interchange.groups[0].transactions:
        reading = read_837(transaction, interchange.delimiters)
        assert reading.errors == []
        claims += reading.claims
    return claims


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
    if rendering_is_billing:
        coded = coded.model_copy(
            update={
                "rendering_provider": coded.rendering_provider.model_copy(update={"npi": coded.billing_provider.npi})
            }
        )
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


TODAY = date(2026, 11, 27)


@pytest.mark.parametrize(
    ("changes", "rules"),
    [
        ({}, []),
        ({"service_date": TODAY - timedelta(days=366)}, ["timely-filing.expired"]),
        ({"service_date": TODAY - timedelta(days=365)}, []),
        (
            {
                "payer": {"payer_id": "SIMAHP", "name": "Apex", "kind": "commercial", "claim_filing_indicator": "HM"},
                "service_date": TODAY - timedelta(days=91),
            },
            ["timely-filing.expired", "authorization.missing"],
        ),
        (
            {
                "payer": {"payer_id": "SIMAHP", "name": "Apex", "kind": "commercial", "claim_filing_indicator": "HM"},
                "prior_authorization_number": "PA1",
            },
            [],
        ),
        (
            {
                "billing_provider": {
                    "practice_id": "00000000-0000-0000-0000-0000000000b1",
                    "name": "X",
                    "npi": "1679576723",
                    "tax_id": "12345",
                    "taxonomy": "261QM0801X",
                    "address": {**ADDRESS, "line1": "PO Box 12", "postal_code": "97201"},
                }
            },
            ["billing-provider.npi", "billing-provider.tax-id", "billing-provider.zip4", "billing-provider.po-box"],
        ),
        (
            {
                "lines": [
                    {
                        "line_number": 1,
                        "code": "90837",
                        "modifiers": ["95", "93"],
                        "units": 1,
                        "amount": "10",
                        "diagnosis_pointers": [1, 5],
                    }
                ]
            },
            ["diagnosis.pointer", "modifiers.telehealth"],
        ),
    ],
)
def test_scrubber(changes: dict[str, Any], rules: list[str]) -> None:
    coded = claim_content(**{"service_date": TODAY - timedelta(days=3), **changes})
    assert [r.rule for r in scrub(coded, today=TODAY, duplicate=False)] == rules


def test_payer_rules_change_on_their_date() -> None:
    assert "90837" not in rules_for("SIMAHP", "commercial", date(2025, 12, 31)).prior_auth_codes
    assert "90837" in rules_for("SIMAHP", "commercial", date(2026, 1, 1)).prior_auth_codes
    assert rules_for("OTHER", "commercial", date(2026, 1, 1)).timely_filing_days == 90
    assert rules_for("SIMMCD", "medicaid", date(2026, 1, 1)).timely_filing_days == 180


@pytest.mark.parametrize(
    ("code", "visits", "number", "held"),
    [("90834", 29, None, False), ("90834", 30, None, True), ("90834", 30, "PA-1", False), ("90791", 40, None, False)],
)
def test_medicaid_therapy_needs_an_authorization_after_thirty_visits_a_year(
    code: str, visits: int, number: str | None, held: bool
) -> None:
    medicaid = {"payer_id": "SIMMCD", "name": "State Medicaid", "kind": "medicaid", "claim_filing_indicator": "MC"}
    base = claim_content(service_date=TODAY - timedelta(days=3), payer=medicaid, prior_authorization_number=number)
    coded = base.model_copy(update={"lines": [base.lines[0].model_copy(update={"code": code})]})
    rules = [r.rule for r in scrub(coded, today=TODAY, duplicate=False, visits_this_year=visits)]
    assert ("authorization.required" in rules) is held
    assert rules_for("SIMMCR", "medicare", TODAY).counts_visits(coded) is False


@pytest.mark.skipif(not CORPUS.is_dir(), reason=MISSING)
def test_corpus_acknowledgments_drive_the_right_outcomes() -> None:
    (group,) = read_999((CORPUS / "staedi" / "simple999.edi").read_text())
    assert [(t.control_number, t.accepted) for t in group.transactions] == [
        ("0001", True),
        ("0002", False),
        ("0003", False),
    ]
    assert [r.field for r in group.transactions[1].reasons] == ["CLM segment 22", "CLM02"]
    (accepted,) = read_277ca((CORPUS / "imsweb-x12-parser" / "277_5010" / "x12_277CA_accepted.txt").read_text())
    (rejected,) = read_277ca((CORPUS / "imsweb-x12-parser" / "277_5010" / "x12_277CA_rejected.txt").read_text())
    assert (accepted.patient_control_number, accepted.accepted, accepted.payer_claim_number) == (
        "5781",
        True,
        "1107000000014420",
    )
    assert (rejected.accepted, rejected.reason().rule) == (False, "277CA.A7.562")


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


@pytest.mark.parametrize(
    ("served", "today", "expired"),
    [
        (date(2023, 3, 1), date(2024, 3, 1), False),  # 366 days across a leap day: still one calendar year
        (date(2023, 3, 1), date(2024, 3, 2), True),
        (date(2024, 2, 29), date(2025, 2, 28), False),  # a leap day's year ends on Feb 28
        (date(2024, 2, 29), date(2025, 3, 1), True),
    ],
)
def test_medicare_timely_filing_is_one_calendar_year(served: date, today: date, expired: bool) -> None:
    coded = claim_content(service_date=served)
    assert ("timely-filing.expired" in [r.rule for r in scrub(coded, today=today, duplicate=False)]) is expired


def test_a_medicaid_child_with_an_own_id_goes_as_the_subscriber() -> None:
    parent = {"first_name": "Pat", "last_name": "Doe", "birth_date": "1975-02-02", "sex": "M", "address": ADDRESS}
    base = claim_content(
        payer={"payer_id": "SIMMCD", "name": "State Medicaid", "kind": "medicaid", "claim_filing_indicator": "MC"}
    )
    child = base.model_copy(
        update={
            "coverage": base.coverage.model_copy(
                update={
                    "relationship": "child",
                    "subscriber": base.patient.model_validate({**parent, "external_id": "x"}),
                    "member_id": "CHILD0001",
                    "patient_has_own_id": True,
                }
            )
        }
    )
    text = write(ClaimToSend("CS0000000001", "1", child))
    assert pyx12_problems(text) == []
    assert "*23*" not in "".join(line for line in text.splitlines() if line.startswith("HL*"))  # no 2000C
    assert "SBR*P*18*" in text and "NM1*IL*1*DOE*JANE****MI*CHILD0001~" in text and "PAT*" not in text
    (claim,) = read_back(text)
    assert (claim.relationship, claim.patient, claim.subscriber.first_name) == ("18", None, "JANE")


def test_a_dependent_without_an_own_id_sends_no_subscriber_demographics() -> None:
    parent = {"first_name": "Pat", "last_name": "Doe", "birth_date": "1975-02-02", "sex": "M", "address": ADDRESS}
    base = claim_content()
    subscriber = base.patient.model_validate({**parent, "external_id": "x"})
    coverage = base.coverage.model_copy(update={"relationship": "child", "subscriber": subscriber})
    child = base.model_copy(update={"coverage": coverage})
    text = write(ClaimToSend("CS0000000001", "1", child))
    assert pyx12_problems(text) == []
    assert "DMG*D8*19750202" not in text and "DMG*D8*19700131*F~" in text  # the patient's only, in 2010CA
    assert "PAT*19~" in text


def test_a_solo_clinician_bills_as_a_person_under_a_type_1_npi() -> None:
    base = claim_content()
    solo = base.billing_provider.model_copy(update={"entity": "individual", "first_name": "Ana", "last_name": "Ruiz"})
    text = write(ClaimToSend("CS0000000001", "1", base.model_copy(update={"billing_provider": solo})))
    assert f"NM1*85*1*RUIZ*ANA****XX*{solo.npi}~" in text
    assert pyx12_problems(text) == []
    (claim,) = read_back(text)
    assert (claim.billing_npi, claim.billing_name) == (solo.npi, "RUIZ")


def test_a_correction_is_never_written_without_the_payers_number() -> None:
    with pytest.raises(ValueError, match="REF\\*F8"):
        write(ClaimToSend("CS0000000001", "7", claim_content()))


def test_referring_provider_referral_service_facility_delay_reason_and_correction_note() -> None:
    base = claim_content()
    facility_address = base.billing_provider.address.model_copy(update={"line1": "9 Clinic Rd", "city": "Salem"})
    coded = base.model_validate(
        {
            **base.model_dump(mode="json"),
            "referring_provider": {"npi": "1497758544", "first_name": "Gia", "last_name": "Moss"},
            "referral_number": "REF123",
            "service_facility": {
                "name": "Salem Satellite",
                "npi": "1245319599",
                "address": facility_address.model_dump(),
            },
            "delay_reason_code": "7",
        }
    )
    text = write(ClaimToSend("CS0000000001", "7", coded, "SIMBCX100001", note="corrected place of service"))
    assert pyx12_problems(text) == []
    assert "NM1*DN*1*MOSS*GIA****XX*1497758544~" in text and "REF*9F*REF123~" in text
    assert "NM1*77*2*SALEM SATELLITE*****XX*1245319599~" in text and "N3*9 CLINIC RD~" in text
    assert "NTE*ADD*CORRECTED PLACE OF SERVICE~" in text
    clm = next(line for line in text.splitlines() if line.startswith("CLM*"))
    assert clm.rstrip("~").split("*")[20] == "7"  # CLM20


def test_no_service_facility_loop_when_it_is_the_billing_address() -> None:
    base = claim_content()
    same = base.model_validate(
        {
            **base.model_dump(mode="json"),
            "service_facility": {"name": "Harbor Counseling", "address": base.billing_provider.address.model_dump()},
        }
    )
    assert "NM1*77*" not in write(ClaimToSend("CS0000000001", "1", same))


async def test_the_gateway_retries_a_little_then_hands_back_the_clearinghouses_retry_after() -> None:
    import httpx
    from claim_submission.gateway import CredentialRefused, SimulatorGateway
    from claimstream_platform.errors import TransientError

    calls: list[str] = []

    def busy(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        return httpx.Response(503, headers={"Retry-After": "120"})

    gateway = SimulatorGateway(httpx.AsyncClient(transport=httpx.MockTransport(busy), base_url="http://sim"))
    with pytest.raises(TransientError) as caught:
        await gateway.documents("277CA")
    assert caught.value.retry_after == 120 and len(calls) == 1  # too long to wait inside a call: the loop waits
    refused = SimulatorGateway(
        httpx.AsyncClient(transport=httpx.MockTransport(lambda r: httpx.Response(401)), base_url="http://sim")
    )
    with pytest.raises(CredentialRefused):
        await refused.documents("277CA")


def test_a_supervised_associate_goes_out_with_the_supervisor_in_2310d() -> None:
    base = claim_content()
    associate = {
        "npi": "1497758544",
        "first_name": "Lee",
        "last_name": "Park",
        "credential": "LPC-A",
        "taxonomy": "101YP2500X",
    }
    supervised = base.model_validate(
        {
            **base.model_dump(mode="json"),
            "rendering_provider": associate,
            "supervising_provider": {"npi": "1245319599", "first_name": "Ben", "last_name": "Okafor"},
        }
    )
    text = write(ClaimToSend("CS0000000001", "1", supervised))
    assert pyx12_problems(text) == []
    assert "NM1*82*1*PARK*LEE****XX*1497758544~" in text and "NM1*DQ*1*OKAFOR*BEN****XX*1245319599~" in text
    (claim,) = read_back(text)
    assert (claim.rendering_npi, claim.supervising_npi) == ("1497758544", "1245319599")


def test_a_line_with_its_own_authorization_carries_ref_g1_in_2400() -> None:
    base = claim_content()
    tms = [
        {
            "line_number": 1,
            "code": "90867",
            "modifiers": [],
            "units": 1,
            "amount": "400.00",
            "diagnosis_pointers": [1],
            "prior_authorization_number": "TMS-2026-118",
        },
        {"line_number": 2, "code": "90837", "modifiers": [], "units": 1, "amount": "185.00", "diagnosis_pointers": [1]},
    ]
    coded = base.model_validate({**base.model_dump(mode="json"), "lines": tms, "prior_authorization_number": "OP-55"})
    text = write(ClaimToSend("CS0000000001", "1", coded))
    assert pyx12_problems(text) == []
    (claim,) = read_back(text)
    assert claim.prior_authorization == "OP-55"
    assert [line.prior_authorization for line in claim.lines] == ["TMS-2026-118", ""]
