"""Good Faith Estimates on real PostgreSQL: issued, read back and rendered; the patient's charges in its period
counted per encounter (a re-coded visit replaces its amount, a voided one leaves); announced once when billed
$400 or more above it; other tenants' estimates not found."""

import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import uuid4

import httpx
from claimstream_platform.contracts.charge_capture import ChargeVoided
from claimstream_platform.db import UnitOfWork
from claimstream_platform.testing import Keys
from eligibility import handlers
from eligibility_testkit import PRACTICE, TENANT, captured
from test_eligibility_checks import BODY, outbox

THERAPY = {"code": "90837", "label": "Therapy, 60 minutes", "fee": "150.00", "quantity": 2}
ESTIMATE = {"practice_id": str(PRACTICE), "patient": BODY["patient"], "provider": BODY["provider"],
            "period_from": "2026-12-01", "period_to": "2027-02-28", "services": [THERAPY]}  # fmt: skip


async def deliver(make_uow: Callable[[], UnitOfWork], *events: Any) -> None:
    for event in events:
        async with make_uow() as uow:
            handler = handlers.on_charge_voided if isinstance(event, ChargeVoided) else handlers.on_charge_captured
            await handler(event, uow)
            await uow.commit()


def visit(amount: str, patient: str = "P-1", served: date = date(2026, 12, 3)) -> Any:
    charge = captured(patient_ref=patient)
    return charge.model_copy(update={"total_amount": Decimal(amount), "service_date": served})


async def test_an_estimate_is_issued_read_and_rendered(client: httpx.AsyncClient, auth: dict[str, str],
                                                       keys: Keys) -> None:  # fmt: skip
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


async def test_billed_charges_400_above_the_estimate_are_announced_once(
    client: httpx.AsyncClient, auth: dict[str, str], make_uow: Callable[[], UnitOfWork]
) -> None:
    estimate = (await client.post("/v1/good-faith-estimates", json=ESTIMATE, headers=auth)).json()
    first, second = visit("180"), visit("180")
    await deliver(make_uow, first, second, visit("500", patient="P-2"), visit("900", served=date(2027, 3, 1)))
    billed = (await client.get(f"/v1/good-faith-estimates/{estimate['id']}", headers=auth)).json()["billed"]
    assert Decimal(billed) == 360  # the other patient's visit and the visit after the period do not count
    recoded = first.model_copy(update={"total_amount": Decimal("250"), "version": 2})
    voided = ChargeVoided(tenant_id=TENANT, practice_id=PRACTICE, encounter_id=second.encounter_id, version=2,
                          external_id=second.external_id, service_date=second.service_date,
                          reason="duplicate")  # fmt: skip
    await deliver(make_uow, recoded, voided)
    billed = (await client.get(f"/v1/good-faith-estimates/{estimate['id']}", headers=auth)).json()["billed"]
    assert Decimal(billed) == 250  # the re-coded visit's new amount; the voided one gone
    await deliver(make_uow, visit("460"), visit("200"))  # 710: 410 above 300
    exceeded = [e for kind, e in await outbox(make_uow) if kind == "claimstream.good-faith-estimate.exceeded.v1"]
    assert [(e["estimated"], e["billed"], e["excess"]) for e in exceeded] == [("300.00", "710.00", "410.00")]
    assert "Zo" not in json.dumps(exceeded)
