"""The 837P's loops as payers want them: who is the subscriber, a solo clinician, referring, supervising and
service facility providers, corrections, a line's own authorization."""

import pytest
from claim_submission.outbound.x837 import ClaimToSend
from claims_testkit import ADDRESS, claim_content
from pyx12_check import pyx12_problems
from x837_testkit import read_back, write


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
