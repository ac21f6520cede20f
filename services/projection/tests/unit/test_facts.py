"""The edge keeps ids, codes and amounts, never PHI: what a fact of each kind holds."""

from datetime import UTC, datetime
from uuid import uuid4

from claimstream_platform.contracts.remittance_posting import RemittanceReceived
from projection.facts import fact_of, short_type
from projection_testkit import NPI, Visit, fact

AT = datetime(2026, 10, 2, tzinfo=UTC)


def test_a_charge_keeps_the_patients_id_and_the_rendering_npi_and_no_phi() -> None:
    kept = fact(Visit(patient="P-77").captured(), AT)
    assert (kept.type, kept.data["patient_ref"], kept.data["provider_npi"]) == ("charge.captured", "P-77", NPI)
    text = str(kept.data)
    for phi in ("Zoë", "Núñez", "1990-01-02", "M123", "F41.1", "Main St"):
        assert phi not in text


def test_a_rejection_keeps_its_rule_names_not_its_messages() -> None:
    kept = fact(Visit().rejected(), AT)
    assert kept.data["rules"] == ["277CA.A7.21"] and "message" not in str(kept.data)


def test_an_event_about_no_claim_or_encounter_is_only_counted() -> None:
    received = RemittanceReceived(
        tenant_id=uuid4(), remittance_id=uuid4(), payer_id="SIMAHP", trace_number="T1", total=1, claims=1, balanced=True
    )
    assert fact_of(received, uuid4(), AT, "remittance-posting") is None
    assert short_type("claimstream.claim.acknowledgment-overdue.v1") == "claim.acknowledgment-overdue"
