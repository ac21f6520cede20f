"""Whether a practice may bill a payer yet, pure: nothing is held without the practice's checks; with them, a
claim waits for its billing provider's active claims enrollment and for its rendering clinician's span in the
visit's state on the date of service (the patient's state for telehealth), saying when a later span starts."""

from datetime import date, timedelta

from claim_submission.scrubbing.readiness_rule import (
    CREDENTIALING,
    ENROLLMENT,
    Readiness,
    Span,
    readiness_reasons,
    visit_state,
)
from claims_testkit import ADDRESS, PATIENT, RECENT, claim_content

CLINICIAN, BILLER, TIN = "1245319599", "1679576722", "987654321"


def rules(readiness: Readiness, **changes: object) -> list[str]:
    return [reason.rule for reason in readiness_reasons(claim_content(**changes), readiness)]


def test_nothing_is_held_without_the_practices_checks() -> None:
    assert rules(Readiness()) == []
    assert rules(Readiness(enrollments=((BILLER, TIN, "rejected", None),))) == []


def test_a_claim_waits_for_an_active_claims_enrollment_of_its_npi_and_tin_in_effect_on_its_date() -> None:
    def enrolled(*records: tuple[str, str, str, date | None]) -> Readiness:
        return Readiness(enrollment_check=True, enrollments=records)

    assert rules(enrolled((BILLER, TIN, "pending", None))) == [ENROLLMENT]
    assert rules(enrolled((BILLER, "111111111", "active", None))) == [ENROLLMENT]
    assert rules(enrolled((BILLER, TIN, "active", RECENT + timedelta(days=1)))) == [ENROLLMENT]  # from after the visit
    assert rules(enrolled((BILLER, TIN, "active", RECENT))) == []


def test_a_claim_waits_for_a_span_effective_on_its_date_in_the_visits_state() -> None:
    later = RECENT + timedelta(days=10)
    pending = Readiness(credentialing_check=True, spans=(Span(CLINICIAN, "OR", "pending", later, None),))
    [reason] = readiness_reasons(claim_content(), pending)
    assert reason.rule == CREDENTIALING and f"effective from {later}" in reason.message
    active = Span(CLINICIAN, "OR", "active", RECENT - timedelta(days=30), None)
    assert rules(Readiness(credentialing_check=True, spans=(active,))) == []
    ended = Span(CLINICIAN, "OR", "active", date(2020, 1, 1), RECENT - timedelta(days=1))
    assert rules(Readiness(credentialing_check=True, spans=(ended,))) == [CREDENTIALING]
    elsewhere = Span(CLINICIAN, "WA", "active", date(2020, 1, 1), None)
    assert rules(Readiness(credentialing_check=True, spans=(elsewhere,))) == [CREDENTIALING]


def test_a_telehealth_visit_is_in_the_patients_state() -> None:
    away = PATIENT | {"address": ADDRESS | {"state": "WA"}}
    assert visit_state(claim_content(place_of_service="10", patient=away)) == "WA"
    assert visit_state(claim_content(patient=away)) == "OR"  # at the office: the practice's state
    in_wa = Span(CLINICIAN, "WA", "active", date(2020, 1, 1), None)
    assert rules(Readiness(credentialing_check=True, spans=(in_wa,)), place_of_service="10", patient=away) == []
