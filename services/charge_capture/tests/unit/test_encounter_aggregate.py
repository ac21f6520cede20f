"""The Encounter aggregate records its events (handlers only take and publish them)."""

from datetime import UTC, datetime
from decimal import Decimal
from uuid import uuid4

import pytest
from charge_capture.api_commands import capture_command
from charge_capture.coded import ChargeLine, Coded, Parties
from charge_capture.commands import CaptureEncounter
from charge_capture.domain import Encounter
from charge_capture.schemas import EncounterIn
from charge_capture_testkit import PRACTICE_NPI, SOCIAL_WORKER_NPI, address, encounter
from claimstream_platform.contracts import Reason
from claimstream_platform.contracts import charge_capture as contract
from claimstream_platform.errors import RuleViolation

NOW = datetime(2026, 3, 3, 15, tzinfo=UTC)
PRACTICE = uuid4()
LINE = ChargeLine(1, "90837", ("95",), 1, Decimal("140.00"), (1, 2), minutes=53)
PAYER = contract.Payer(payer_id="COM01", name="Commercial", kind="commercial", claim_filing_indicator="CI")
PARTIES = Parties(
    rendering_provider=contract.RenderingProvider(
        npi=SOCIAL_WORKER_NPI, first_name="Ann", last_name="Lee", credential="LCSW", taxonomy="1041C0700X"
    ),
    supervising_provider=None,
    billing_provider=contract.BillingProvider(
        practice_id=PRACTICE,
        name="Practice",
        npi=PRACTICE_NPI,
        tax_id="123456789",
        taxonomy="261QM0801X",
        address=contract.Address(**address()),
    ),
    payer=PAYER,
    other_payers={},
)
CODED = Coded("11", (LINE,), (), (), PARTIES)
HELD = Coded("11", (LINE,), (Reason(rule="payer.unknown", field="coverage.payer_id", message="not set up"),), (), None)


def command(**changes: object) -> CaptureEncounter:
    return capture_command(EncounterIn.model_validate(encounter(PRACTICE, external_id="ehr-1", **changes)))


def kinds(recorded: Encounter) -> list[str]:
    return [type(event).__name__ for event in recorded.take_events()]


def test_a_captured_encounter_records_received_then_captured_with_its_lines_and_coverage() -> None:
    captured = Encounter.capture(uuid4(), command(), CODED, now=NOW)
    events = captured.take_events()
    assert [type(e).__name__ for e in events] == ["EncounterReceived", "ChargeCaptured"]
    charge = events[1]
    assert isinstance(charge, contract.ChargeCaptured)
    assert (charge.version, charge.total_amount, charge.lines[0].code) == (1, Decimal("140.00"), "90837")
    assert charge.coverage.patient_has_own_id is False and charge.diagnoses == ["F33.1", "Z63.0"]
    assert (captured.status, captured.total_amount, captured.take_events()) == ("coded", Decimal("140.00"), [])


def test_a_held_encounter_records_rejected_with_its_reasons_and_no_total() -> None:
    held = Encounter.capture(uuid4(), command(), HELD, now=NOW)
    assert kinds(held) == ["EncounterReceived", "ChargeRejected"]
    assert (held.status, held.total_amount) == ("needs_review", None)


def test_a_correction_voids_the_captured_version_then_records_the_new_one() -> None:
    corrected = Encounter.capture(uuid4(), command(), CODED, now=NOW)
    corrected.take_events()
    corrected.correct(command(service_date="2026-03-01"), CODED, now=NOW)
    events = corrected.take_events()
    assert [type(e).__name__ for e in events] == ["ChargeVoided", "EncounterReceived", "ChargeCaptured"]
    versions = [(e.version, str(e.service_date)) for e in events]
    assert versions == [(1, "2026-03-02"), (2, "2026-03-01"), (2, "2026-03-01")]


def test_a_correction_keeps_the_external_id() -> None:
    stored = Encounter.capture(uuid4(), command(), HELD, now=NOW)
    with pytest.raises(RuleViolation, match="external_id cannot change"):
        stored.correct(capture_command(EncounterIn.model_validate(encounter(PRACTICE))), CODED, now=NOW)


def test_a_void_withdraws_captured_charges_once_and_a_held_encounter_silently() -> None:
    captured = Encounter.capture(uuid4(), command(), CODED, now=NOW)
    captured.take_events()
    captured.void("duplicate visit", now=NOW)
    captured.void("again", now=NOW)
    assert kinds(captured) == ["ChargeVoided"]
    held = Encounter.capture(uuid4(), command(), HELD, now=NOW)
    held.take_events()
    held.void("no visit", now=NOW)
    assert (held.status, kinds(held)) == ("voided", [])
