"""Good Faith Estimates on real PostgreSQL: issued, read back and rendered; the patient's charges in its period
counted per encounter (a re-coded visit replaces its amount, a voided one leaves); announced once when billed
$400 or more above it; other tenants' estimates not found."""

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import uuid4

import httpx
from claimstream_devtools.testing import Keys
from claimstream_platform.contracts.charge_capture import ChargeVoided
from claimstream_platform.messaging.envelope import DecodedEvent, EventMetadata
from eligibility import handlers
from eligibility.repository import EligibilityWork
from eligibility_testkit import PRACTICE, TENANT, captured
from sqlalchemy import text
from test_eligibility_checks import BODY, outbox

THERAPY = {"code": "90837", "label": "Therapy, 60 minutes", "fee": "150.00", "quantity": 2}
ESTIMATE = {
    "practice_id": str(PRACTICE),
    "patient": BODY["patient"],
    "provider": BODY["provider"],
    "period_from": "2026-12-01",
    "period_to": "2027-02-28",
    "services": [THERAPY],
}


async def deliver(make_uow: Callable[[], EligibilityWork], *events: Any) -> None:
    for event in events:
        async with make_uow() as uow:
            handler = handlers.on_charge_voided if isinstance(event, ChargeVoided) else handlers.on_charge_captured
            await handler(event, uow)
            await uow.commit()


def visit(amount: str, patient: str = "P-1", served: date = date(2026, 12, 3)) -> Any:
    charge = captured(patient_ref=patient)
    return charge.model_copy(update={"total_amount": Decimal(amount), "service_date": served})


async def test_an_estimate_is_issued_read_and_rendered(
    client: httpx.AsyncClient, auth: dict[str, str], keys: Keys
) -> None:
    issued = await client.post("/v1/good-faith-estimates", json=ESTIMATE, headers=auth)
    assert issued.status_code == 201, issued.text
    estimate = issued.json()
    assert (estimate["total"], estimate["billed"]) == ("300.00", "0")
    read = await client.get(f"/v1/good-faith-estimates/{estimate['id']}", headers=auth)
    assert read.json() == estimate
    pdf = await client.get(f"/v1/good-faith-estimates/{estimate['id']}/pdf", headers=auth)
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    other = {"Authorization": f"Bearer {keys.issuer.issue(tenant_id=uuid4())}"}
    assert (await client.get(f"/v1/good-faith-estimates/{estimate['id']}", headers=other)).status_code == 404
    backwards = {**ESTIMATE, "period_to": "2026-11-01"}
    assert (await client.post("/v1/good-faith-estimates", json=backwards, headers=auth)).status_code == 422
    over_a_year = await client.post(
        "/v1/good-faith-estimates", json={**ESTIMATE, "period_to": "2027-12-01"}, headers=auth
    )
    assert over_a_year.status_code == 422 and over_a_year.json()["errors"][0]["field"] == "period_to"
    a_year = await client.post("/v1/good-faith-estimates", json={**ESTIMATE, "period_to": "2027-11-30"}, headers=auth)
    assert a_year.status_code == 201


async def test_billed_charges_400_above_the_estimate_are_announced_once(
    client: httpx.AsyncClient, auth: dict[str, str], make_uow: Callable[[], EligibilityWork]
) -> None:
    estimate = (await client.post("/v1/good-faith-estimates", json=ESTIMATE, headers=auth)).json()
    first, second = visit("180"), visit("180")
    await deliver(make_uow, first, second, visit("500", patient="P-2"), visit("900", served=date(2027, 3, 1)))
    billed = (await client.get(f"/v1/good-faith-estimates/{estimate['id']}", headers=auth)).json()["billed"]
    assert Decimal(billed) == 360  # the other patient's visit and the visit after the period do not count
    recoded = first.model_copy(update={"total_amount": Decimal("250"), "version": 2})
    voided = ChargeVoided(
        tenant_id=TENANT,
        practice_id=PRACTICE,
        encounter_id=second.encounter_id,
        version=2,
        external_id=second.external_id,
        service_date=second.service_date,
        reason="duplicate",
    )
    await deliver(make_uow, recoded, voided)
    billed = (await client.get(f"/v1/good-faith-estimates/{estimate['id']}", headers=auth)).json()["billed"]
    assert Decimal(billed) == 250  # the re-coded visit's new amount; the voided one gone
    await deliver(make_uow, visit("460"), visit("200"))  # 710: 410 above 300
    exceeded = [e for kind, e in await outbox(make_uow) if kind == "claimstream.good-faith-estimate.exceeded.v1"]
    assert [(e["estimated"], e["billed"], e["excess"], e["provider_npi"]) for e in exceeded] == [
        ("300.00", "710.00", "410.00", "1497758544"),
    ]
    assert "Zo" not in json.dumps(exceeded)


TESTING = {"code": "96130", "label": "Testing evaluation", "fee": "250.00", "quantity": 1, "provider_npi": "1245319599"}
WITH_A_CO_PROVIDER = {
    **ESTIMATE,
    "services": [THERAPY, TESTING],
    "co_providers": [{"npi": "1245319599", "name": "Lakeside Testing"}],
}


def by(charge: Any, rendering: str, billing: str = "1497758544") -> Any:
    """The visit rendered and billed by these NPIs."""
    return charge.model_copy(
        update={
            "rendering_provider": charge.rendering_provider.model_copy(update={"npi": rendering}),
            "billing_provider": charge.billing_provider.model_copy(update={"npi": billing}),
        }
    )


async def test_each_provider_or_facility_is_compared_with_its_own_part(
    client: httpx.AsyncClient, auth: dict[str, str], make_uow: Callable[[], EligibilityWork]
) -> None:
    created = await client.post("/v1/good-faith-estimates", json=WITH_A_CO_PROVIDER, headers=auth)
    assert created.status_code == 201, created.text
    estimate = created.json()
    therapy, testing = visit("180"), by(visit("700"), rendering="1245319599")
    elsewhere = by(visit("900"), rendering="1999999984", billing="1888888885")  # a provider the estimate does not name
    await deliver(make_uow, therapy, testing, elsewhere)
    read = (await client.get(f"/v1/good-faith-estimates/{estimate['id']}", headers=auth)).json()
    assert {p["provider_npi"]: (p["estimated"], p["billed"]) for p in read["parts"]} == {
        "1497758544": ("300.00", "180.00"),
        "1245319599": ("250.00", "700.00"),
    }
    assert (read["total"], read["billed"]) == ("550.00", "880.00")  # 330 over the whole: under 400, yet
    exceeded = [e for kind, e in await outbox(make_uow) if kind == "claimstream.good-faith-estimate.exceeded.v1"]
    assert [(e["provider_npi"], e["estimated"], e["excess"]) for e in exceeded] == [("1245319599", "250.00", "450.00")]
    await deliver(make_uow, by(visit("100"), rendering="1245319599"))  # announced once per part
    assert len([k for k, _ in await outbox(make_uow) if k == "claimstream.good-faith-estimate.exceeded.v1"]) == 1


async def test_a_charge_counts_only_against_the_estimates_that_name_its_provider(
    client: httpx.AsyncClient, auth: dict[str, str], make_uow: Callable[[], EligibilityWork]
) -> None:
    ours = (await client.post("/v1/good-faith-estimates", json=ESTIMATE, headers=auth)).json()
    another_provider = {**ESTIMATE, "provider": {"npi": "1245319599", "name": "Lakeside Testing"}}
    theirs = (await client.post("/v1/good-faith-estimates", json=another_provider, headers=auth)).json()
    await deliver(make_uow, visit("180"))  # rendered by 1234567893, billed by 1497758544 (the practice)
    billed = [
        (await client.get(f"/v1/good-faith-estimates/{e['id']}", headers=auth)).json()["billed"] for e in (ours, theirs)
    ]
    assert [Decimal(b) for b in billed] == [180, 0]


async def test_a_service_by_a_provider_the_estimate_does_not_name_is_refused(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    stray = {**ESTIMATE, "services": [THERAPY, TESTING]}  # no co-provider 1245319599 listed
    refused = await client.post("/v1/good-faith-estimates", json=stray, headers=auth)
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "services.1.provider_npi"


async def test_a_patients_estimates_are_listed_each_beside_what_was_billed(
    client: httpx.AsyncClient, auth: dict[str, str], keys: Keys, make_uow: Callable[[], EligibilityWork]
) -> None:
    later = {**ESTIMATE, "period_from": "2027-03-01", "period_to": "2027-12-31"}
    issued = [
        (await client.post("/v1/good-faith-estimates", json=body, headers=auth)).json() for body in (ESTIMATE, later)
    ]
    await deliver(make_uow, visit("180"), visit("75", patient="P-2"))
    asked = {"practice_id": str(PRACTICE), "patient_ref": "P-1"}
    listed = (await client.get("/v1/good-faith-estimates", params=asked, headers=auth)).json()["items"]
    assert [(e["id"], e["billed"]) for e in listed] == [(issued[1]["id"], "0"), (issued[0]["id"], "180.00")]
    part = {"provider_npi": "1497758544", "estimated": "300.00", "billed": "180.00", "disputable": False}
    assert listed[1]["parts"] == [part]
    await deliver(make_uow, visit("600"))  # 780 billed: 480 above its part, the dispute threshold (400) passed
    listed = (await client.get("/v1/good-faith-estimates", params=asked, headers=auth)).json()["items"]
    assert listed[1]["parts"] == [part | {"billed": "780.00", "disputable": True}]
    other = {**asked, "patient_ref": "P-2"}
    assert (await client.get("/v1/good-faith-estimates", params=other, headers=auth)).json()["items"] == []
    elsewhere = {"Authorization": f"Bearer {keys.issuer.issue(tenant_id=TENANT, practice_ids=[uuid4()])}"}
    assert (await client.get("/v1/good-faith-estimates", params=asked, headers=elsewhere)).status_code == 404


async def test_a_run_of_charges_bills_the_estimated_patients_visits_and_checks_every_visit(
    client: httpx.AsyncClient, auth: dict[str, str], make_uow: Callable[[], EligibilityWork]
) -> None:
    estimate = (await client.post("/v1/good-faith-estimates", json=ESTIMATE, headers=auth)).json()
    run = [visit("180"), visit("500", patient="P-2"), visit("120")]
    meta = EventMetadata(event_id=uuid4(), source="charge-capture", time=datetime.now(UTC), correlation_id=uuid4())
    async with make_uow() as uow:
        await handlers.on_charges_captured([DecodedEvent(event, meta) for event in run], uow)
        await uow.commit()
    billed = (await client.get(f"/v1/good-faith-estimates/{estimate['id']}", headers=auth)).json()["billed"]
    assert Decimal(billed) == 300  # P-1's two visits; P-2 has no estimate
    async with make_uow() as uow:
        patients = await uow.session.execute(text("SELECT patient_ref FROM checks ORDER BY patient_ref"))
        assert [row.patient_ref for row in patients] == ["P-1", "P-2"]  # a check per coverage, asked once
