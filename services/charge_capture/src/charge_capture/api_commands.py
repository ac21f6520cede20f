"""The API's edge: an encounter body (`schemas.EncounterIn`) mapped into the capture command the handlers take,
and the coding engine's own input inside it. Nothing below the API reads the HTTP schema."""

import hashlib
import json

from claimstream_platform.contracts import charge_capture as contract

from charge_capture.coding import engine
from charge_capture.commands import CaptureEncounter, ClaimFacts, CoverageFacts
from charge_capture.schemas import CoverageIn, EncounterIn, OtherCoverageIn


def capture_command(body: EncounterIn) -> CaptureEncounter:
    request = body.model_dump(mode="json")
    return CaptureEncounter(
        practice_id=body.practice_id,
        external_id=body.external_id,
        service_date=body.service_date,
        rendering_provider_npi=body.rendering_provider_npi,
        supervising_provider_npi=body.supervising_provider_npi,
        coding=engine_input(body),
        procedure_authorizations=tuple(p.prior_authorization_number for p in body.procedures or ()),
        claim=claim_facts(body),
        request=request,
        request_hash=hashlib.sha256(_canonical(request).encode()).hexdigest(),
    )


def _canonical(request: object) -> str:
    return json.dumps(request, sort_keys=True, separators=(",", ":"))


def engine_input(body: EncounterIn) -> engine.Encounter:
    service, telehealth = body.service, body.telehealth
    return engine.Encounter(
        service_date=body.service_date,
        place_of_service=body.place_of_service,
        diagnoses=tuple(body.diagnoses),
        service=engine.Service(**service.model_dump()) if service else None,
        procedures=tuple(
            engine.Procedure(p.code, tuple(p.modifiers), p.units, p.minutes, tuple(p.diagnosis_pointers))
            for p in body.procedures or ()
        ),
        telehealth=engine.Telehealth(telehealth.modality, telehealth.patient_at_home) if telehealth else None,
    )


def claim_facts(body: EncounterIn) -> ClaimFacts:
    """What the EHR says of the claim beyond the service: patient, coverages, referral, facility, lateness."""
    referring, facility = body.referring_provider, body.service_facility
    return ClaimFacts(
        patient=contract.Patient(**body.patient.model_dump()),
        coverage=_coverage(body.coverage),
        other_coverages=tuple(_coverage(coverage) for coverage in body.other_coverages),
        diagnoses=tuple(body.diagnoses),
        telehealth_modality=body.telehealth.modality if body.telehealth else None,
        prior_authorization_number=body.prior_authorization_number,
        referring_provider=contract.ReferringProvider(**referring.model_dump()) if referring else None,
        referral_number=body.referral_number,
        service_facility=contract.ServiceFacility(
            name=facility.name, npi=facility.npi, address=contract.Address(**facility.address.model_dump())
        )
        if facility
        else None,
        delay_reason_code=body.delay_reason_code,
    )


def _coverage(coverage: CoverageIn) -> CoverageFacts:
    subscriber = coverage.subscriber
    return CoverageFacts(
        payer_id=coverage.payer_id,
        member_id=coverage.member_id,
        group_number=coverage.group_number,
        relationship=coverage.relationship,
        subscriber=contract.Person(**subscriber.model_dump()) if subscriber else None,
        patient_has_own_id=coverage.patient_has_own_id,
        responsibility=coverage.responsibility if isinstance(coverage, OtherCoverageIn) else "primary",
    )
