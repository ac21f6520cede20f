"""ChargeCaptured from a coded encounter: the one place charge capture maps its own model into the contract that
claim submission reads (an edge: the contract's shape is not the API's)."""

from typing import Any

from claimstream_platform.contracts import charge_capture as contract

from charge_capture.coding.engine import Coding
from charge_capture.repository.reference import Reference
from charge_capture.schemas import CoverageIn, EncounterIn


def _claim_context(body: EncounterIn) -> dict[str, Any]:
    """What the EHR says of the claim beyond the service: referral, facility, why it is late."""
    facility = body.service_facility
    return {
        "referring_provider": contract.ReferringProvider(**body.referring_provider.model_dump())
        if body.referring_provider
        else None,
        "referral_number": body.referral_number,
        "service_facility": contract.ServiceFacility(
            name=facility.name, npi=facility.npi, address=contract.Address(**facility.address.model_dump())
        )
        if facility
        else None,
        "delay_reason_code": body.delay_reason_code,
    }


def captured(
    common: dict[str, Any], body: EncounterIn, coding: Coding, reference: Reference, lines: list[dict[str, Any]]
) -> contract.ChargeCaptured:
    payer = reference.payer.row  # type: ignore[union-attr]
    return contract.ChargeCaptured(
        **_providers(reference, coding),
        **common,
        **_claim_context(body),
        place_of_service=coding.place_of_service,
        telehealth_modality=body.telehealth.modality if body.telehealth else None,
        prior_authorization_number=body.prior_authorization_number,
        diagnoses=list(body.diagnoses),
        lines=[
            contract.ChargeLine(**{k: v for k, v in line.items() if k not in ("encounter_id", "version")})
            for line in lines
        ],
        total_amount=coding.total,
        patient=contract.Patient(**body.patient.model_dump()),
        coverage=contract.Coverage(**_coverage(body.coverage, payer.kind)),
        payer=_payer(payer),
        other_coverages=[
            contract.OtherCoverage(
                **_coverage(coverage, reference.other_payers[coverage.payer_id].kind),
                responsibility=coverage.responsibility,
                payer=_payer(reference.other_payers[coverage.payer_id]),
            )  # fmt: skip
            for coverage in body.other_coverages
        ],
        billing_provider=_billing_provider(reference),
    )


def _payer(row: Any) -> contract.Payer:
    return contract.Payer(
        payer_id=row.payer_id, name=row.name, kind=row.kind, claim_filing_indicator=row.claim_filing_indicator
    )


def _coverage(coverage: CoverageIn, payer_kind: str) -> dict[str, Any]:
    own_id = coverage.patient_has_own_id
    return {
        "payer_id": coverage.payer_id,
        "member_id": coverage.member_id,
        "group_number": coverage.group_number,
        "relationship": coverage.relationship,
        "subscriber": contract.Person(**coverage.subscriber.model_dump()) if coverage.subscriber else None,
        "patient_has_own_id": own_id if own_id is not None else payer_kind == "medicaid",
    }


def _billing_provider(reference: Reference) -> contract.BillingProvider:
    practice = reference.practice
    return contract.BillingProvider(
        practice_id=practice.id, name=practice.name, npi=practice.npi, tax_id=practice.tax_id,
        taxonomy=practice.taxonomy, address=contract.Address(**practice.address), entity=practice.billing_entity,
        first_name=practice.first_name, last_name=practice.last_name,
    )  # fmt: skip


def _providers(reference: Reference, coding: Coding) -> dict[str, Any]:
    """Rendering and supervising providers as the payer wants them named (coding/supervision.py)."""
    provider, supervisor = reference.provider, reference.supervisor
    rendering = supervisor if coding.arrangement == "supervisor_renders" else provider
    assert rendering is not None
    return {
        "rendering_provider": contract.RenderingProvider(
            npi=rendering.npi,
            first_name=rendering.first_name,
            last_name=rendering.last_name,
            credential=rendering.credential,
            taxonomy=rendering.taxonomy,
        ),
        "supervising_provider": contract.SupervisingProvider(
            npi=supervisor.npi, first_name=supervisor.first_name, last_name=supervisor.last_name
        )
        if coding.arrangement == "supervising_provider" and supervisor is not None
        else None,
    }
