"""ChargeCaptured from a coded encounter: the one place charge capture maps its own model into the contract that
claim submission reads (an edge: the contract's shape is not the API's). Pure."""

from typing import Any

from claimstream_platform.contracts import charge_capture as contract

from charge_capture.coded import ChargeLine, Coded, Parties
from charge_capture.commands import ClaimFacts, CoverageFacts


def charge_captured(common: dict[str, Any], claim: ClaimFacts, coded: Coded) -> contract.ChargeCaptured:
    """`common` names the encounter and its version (the fields every encounter event carries)."""
    parties = coded.parties
    assert parties is not None  # a coded encounter has its providers and payers set up
    return contract.ChargeCaptured(
        **common,
        rendering_provider=parties.rendering_provider,
        supervising_provider=parties.supervising_provider,
        referring_provider=claim.referring_provider,
        referral_number=claim.referral_number,
        service_facility=claim.service_facility,
        delay_reason_code=claim.delay_reason_code,
        place_of_service=coded.place_of_service,
        telehealth_modality=claim.telehealth_modality,
        prior_authorization_number=claim.prior_authorization_number,
        diagnoses=list(claim.diagnoses),
        lines=[_line(line) for line in coded.lines],
        total_amount=coded.total,
        patient=claim.patient,
        coverage=contract.Coverage(**_coverage(claim.coverage, parties.payer)),
        payer=parties.payer,
        other_coverages=_other_coverages(claim, parties),
        billing_provider=parties.billing_provider,
        time_zone=parties.time_zone,
    )


def _line(line: ChargeLine) -> contract.ChargeLine:
    return contract.ChargeLine(
        line_number=line.line_number,
        code=line.code,
        modifiers=list(line.modifiers),
        units=line.units,
        amount=line.amount,
        diagnosis_pointers=list(line.diagnosis_pointers),
        minutes=line.minutes,
        prior_authorization_number=line.prior_authorization_number,
    )


def _other_coverages(claim: ClaimFacts, parties: Parties) -> list[contract.OtherCoverage]:
    others = []
    for coverage in claim.other_coverages:
        payer = parties.other_payers[coverage.payer_id]
        others.append(
            contract.OtherCoverage(**_coverage(coverage, payer), responsibility=coverage.responsibility, payer=payer)
        )
    return others


def _coverage(coverage: CoverageFacts, payer: contract.Payer) -> dict[str, Any]:
    """Unsaid, the member id is the patient's own for Medicaid payers (every Medicaid and CHIP member has one)."""
    own_id = coverage.patient_has_own_id
    return {
        "payer_id": coverage.payer_id,
        "member_id": coverage.member_id,
        "group_number": coverage.group_number,
        "relationship": coverage.relationship,
        "subscriber": coverage.subscriber,
        "patient_has_own_id": own_id if own_id is not None else payer.kind == "medicaid",
    }
