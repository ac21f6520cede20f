"""The names and postal addresses statements go to, from charge capture's charges: a run of charges is written in a
few statements, a patient charged twice in it keeps the later capture, and what the office set on her contact (how
statements go, a hold) stays."""

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any
from uuid import uuid4

from claimstream_platform.contracts.charge_capture import ChargeCaptured
from claimstream_platform.messaging.envelope import DecodedEvent, EventMetadata
from patient_billing import handlers
from patient_billing.repository import PatientBillingWork
from patient_billing.repository.accounts import account_id
from patient_billing_testkit import PRACTICE, TENANT

PROVIDER = {"npi": "1234567893", "first_name": "Ana", "last_name": "Diaz", "taxonomy": "103TC0700X"}


def charge(patient: str, first_name: str, city: str) -> DecodedEvent:
    """A captured charge with what patient billing reads of it (the patient), and what the contract requires."""
    address = {"line1": "1 Main St", "city": city, "state": "NY", "postal_code": "12207"}
    body: dict[str, Any] = {
        "tenant_id": TENANT,
        "practice_id": PRACTICE,
        "encounter_id": uuid4(),
        "version": 1,
        "external_id": f"v-{uuid4().hex[:8]}",
        "service_date": date(2026, 11, 3),
        "place_of_service": "11",
        "diagnoses": ["F41.1"],
        "lines": [
            {"line_number": 1, "code": "90837", "modifiers": [], "units": 1, "amount": "180", "diagnosis_pointers": [1]}
        ],
        "total_amount": "180",
        "patient": {"external_id": patient, "first_name": first_name, "last_name": "Rey", "birth_date": "1990-01-02"}
        | {"sex": "F", "address": address},
        "coverage": {"payer_id": "SIMBCX", "member_id": "XJH123456789", "relationship": "self"},
        "payer": {"payer_id": "SIMBCX", "name": "Blue", "kind": "commercial", "claim_filing_indicator": "CI"},
        "billing_provider": {"practice_id": PRACTICE, "name": "Calm Minds", "npi": "1497758544"}
        | {"tax_id": "123456789", "taxonomy": "103T00000X", "address": address},
        "rendering_provider": PROVIDER | {"credential": "PhD"},
    }
    meta = EventMetadata(event_id=uuid4(), source="charge-capture", time=datetime.now(UTC), correlation_id=uuid4())
    return DecodedEvent(ChargeCaptured.model_validate(body), meta)


async def captured(make_uow: Callable[[], PatientBillingWork], *charges: DecodedEvent) -> None:
    async with make_uow() as uow:
        await handlers.on_charges_captured(charges, uow)
        await uow.commit()


async def contact_of(make_uow: Callable[[], PatientBillingWork], patient: str) -> Any:
    async with make_uow() as uow:
        return await uow.statements.contact(account_id(TENANT, PRACTICE, patient))


async def test_a_run_of_charges_makes_each_account_once_and_keeps_each_patients_latest_address(
    make_uow: Callable[[], PatientBillingWork],
) -> None:
    first, second = f"P-{uuid4().hex[:6]}", f"P-{uuid4().hex[:6]}"
    await captured(
        make_uow, charge(first, "Ines", "Albany"), charge(second, "Olga", "Utica"), charge(first, "Ines", "Troy")
    )
    kept, other = await contact_of(make_uow, first), await contact_of(make_uow, second)
    assert (kept.name, kept.address["city"]) == ("Ines Rey", "Troy")
    assert (other.name, other.address["city"]) == ("Olga Rey", "Utica")


async def test_a_later_capture_changes_the_name_and_address_and_leaves_the_offices_choices(
    make_uow: Callable[[], PatientBillingWork],
) -> None:
    patient = f"P-{uuid4().hex[:6]}"
    await captured(make_uow, charge(patient, "Ines", "Albany"))
    async with make_uow() as uow:
        account = account_id(TENANT, PRACTICE, patient)
        await uow.statements.set_contact(TENANT, account, email="ines@example.org", statements_by="email", on_hold=True)
        await uow.commit()
    await captured(make_uow, charge(patient, "Inés", "Troy"))
    kept = await contact_of(make_uow, patient)
    assert (kept.name, kept.address["city"]) == ("Inés Rey", "Troy")
    assert (kept.email, kept.statements_by, kept.on_hold) == ("ines@example.org", "email", True)
