"""Encounters end to end: the fee in force, every service kind, voids, the text X12 can carry, and what reaches
the claim (coverage, referral, supervision, authorizations)."""

import asyncio

from charge_capture_testkit import (
    PSYCHIATRIST_NPI,
    PSYCHOLOGIST_NPI,
    SOCIAL_WORKER_NPI,
    Practice,
    count,
    encounter,
    outbox,
    post_ok,
)
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncEngine


async def test_the_fee_schedule_in_force_on_the_date_of_service_prices_it(
    client: AsyncClient, auth: dict[str, str], practice: Practice
) -> None:
    raised = {"effective_from": "2026-03-01", "entries": [{"code": "90837", "amount": "150.00"}]}
    assert (
        await client.put(f"/v1/practices/{practice.id}/fee-schedules/COM01", json=raised, headers=auth)
    ).status_code == 200
    before = encounter(practice.id, service_date="2026-02-27")
    after = encounter(practice.id, service_date="2026-03-02")
    assert (await client.post("/v1/encounters", json=before, headers=auth)).json()["total_amount"] == "140.00"
    assert (await client.post("/v1/encounters", json=after, headers=auth)).json()["total_amount"] == "150.00"


async def test_service_kinds_end_to_end(client: AsyncClient, auth: dict[str, str], practice: Practice) -> None:
    cases = [
        ({"kind": "psychotherapy_with_em", "minutes": 40, "em_code": "99214"}, PSYCHIATRIST_NPI, "MCR01",
         [("99214", []), ("90836", [])]),
        ({"kind": "diagnostic_evaluation_medical"}, PSYCHIATRIST_NPI, "MCR01", [("90792", [])]),
        ({"kind": "crisis", "minutes": 80}, PSYCHIATRIST_NPI, "MCR01", [("90839", []), ("90840", [])]),
        ({"kind": "family_with_patient", "minutes": 50}, PSYCHOLOGIST_NPI, "COM01", [("90847", [])]),
        ({"kind": "group", "minutes": 90, "interactive_complexity": True}, PSYCHOLOGIST_NPI, "COM01",
         [("90853", []), ("90785", [])]),
        ({"kind": "psychological_testing", "evaluation_minutes": 120, "administration_minutes": 60}, PSYCHOLOGIST_NPI,
         "COM01", [("96130", []), ("96131", []), ("96136", []), ("96137", [])]),
        ({"kind": "psychotherapy", "minutes": 60}, None, "MCD01", [("H0004", ["HO"])]),
    ]  # fmt: skip
    for service, npi, payer, expected in cases:
        body = encounter(practice.id, service=service)
        body["coverage"]["payer_id"] = payer
        if npi:
            body["rendering_provider_npi"] = npi
        result = (await client.post("/v1/encounters", json=body, headers=auth)).json()
        assert result["status"] == "coded", (service, result["problems"])
        assert [(c["code"], c["modifiers"]) for c in result["charges"]] == expected
    medicaid = result["charges"][0]
    assert (medicaid["units"], medicaid["amount"]) == (4, "75.00")  # 60 minutes, whole 15s, the HO rate


async def test_concurrent_batches_sharing_encounters_store_each_once(
    client: AsyncClient, auth: dict[str, str], practice: Practice, engine: AsyncEngine
) -> None:
    shared = [encounter(practice.id) for _ in range(50)]
    forward = {"encounters": shared}
    backward = {"encounters": list(reversed(shared))}
    responses = await asyncio.gather(
        *(client.post("/v1/encounters/batch", json=b, headers=auth) for b in [forward, backward] * 3)
    )
    assert [r.status_code for r in responses] == [200] * 6
    assert sum(r.json()["created"] for r in responses) == 50
    assert sum(r.json()["existing"] for r in responses) == 250
    assert await count(engine, "encounters") == 50


async def test_voiding_withdraws_the_charges_once_and_a_correction_revives_it(
    client: AsyncClient, auth: dict[str, str], practice: Practice, engine: AsyncEngine
) -> None:
    body = encounter(practice.id)
    created = (await client.post("/v1/encounters", json=body, headers=auth)).json()
    path = f"/v1/encounters/{created['id']}/void"
    voided = await client.post(path, json={"reason": "visit was a no-show"}, headers=auth)
    again = await client.post(path, json={"reason": "visit was a no-show"}, headers=auth)
    assert (voided.status_code, voided.json()["status"], again.json()["status"]) == (200, "voided", "voided")
    assert (await client.post(path, json={}, headers=auth)).status_code == 422
    listed = (await client.get("/v1/encounters?status=voided", headers=auth)).json()["items"]
    assert [item["id"] for item in listed] == [created["id"]]
    revived = await client.put(f"/v1/encounters/{created['id']}", json={**body, "place_of_service": "12"}, headers=auth)
    assert (revived.json()["status"], revived.json()["version"]) == ("coded", 2)
    kinds = [(kind, payload["version"], payload.get("reason")) for kind, payload in await outbox(engine)]
    assert kinds == [
        ("encounter.received", 1, None),
        ("charge.captured", 1, None),
        ("charge.voided", 1, "visit was a no-show"),
        ("encounter.received", 2, None),
        ("charge.captured", 2, None),
    ]


async def test_accented_names_are_accepted_as_given(
    client: AsyncClient, auth: dict[str, str], practice: Practice, engine: AsyncEngine
) -> None:
    patient = {**encounter(practice.id)["patient"], "first_name": "José", "last_name": "Muñoz"}
    response = await client.post("/v1/encounters", json=encounter(practice.id, patient=patient), headers=auth)
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "coded"
    assert (await outbox(engine))[1][1]["patient"]["last_name"] == "Muñoz"  # made valid where X12 is written


async def test_text_that_x12_cannot_carry_is_refused_naming_the_field(
    client: AsyncClient, auth: dict[str, str], practice: Practice, engine: AsyncEngine
) -> None:
    for changes, field in (
        ({"last_name": "張偉"}, "patient.last_name"),
        ({"first_name": "Ann\u0007"}, "patient.first_name"),
    ):
        patient = {**encounter(practice.id)["patient"], **changes}
        response = await client.post("/v1/encounters", json=encounter(practice.id, patient=patient), headers=auth)
        assert response.status_code == 422, response.text
        assert [error["field"] for error in response.json()["errors"]] == [field]
    assert await count(engine, "encounters") == 0


async def test_a_dependents_member_id_is_their_own_for_medicaid_unless_the_ehr_says_otherwise(
    client: AsyncClient, auth: dict[str, str], practice: Practice, engine: AsyncEngine
) -> None:
    parent = {**encounter(practice.id)["patient"], "first_name": "Pat"}
    del parent["external_id"]
    for payer_id, stated, own in (("MCD01", None, True), ("COM01", None, False), ("COM01", True, True)):
        coverage = {"payer_id": payer_id, "member_id": "DEP123", "relationship": "child", "subscriber": parent}
        if stated is not None:
            coverage["patient_has_own_id"] = stated
        body = encounter(practice.id, coverage=coverage, service={"kind": "psychotherapy", "minutes": 53})
        response = await client.post("/v1/encounters", json=body, headers=auth)
        assert response.status_code == 201, response.text
        captured = [p for kind, p in await outbox(engine) if kind == "charge.captured"][-1]
        assert captured["coverage"]["patient_has_own_id"] is own, payer_id


async def test_referral_facility_and_delay_reason_reach_the_claim(
    client: AsyncClient, auth: dict[str, str], practice: Practice, engine: AsyncEngine
) -> None:
    body = encounter(
        practice.id,
        referring_provider={"npi": "1497758544", "first_name": "Gia", "last_name": "Moss"},
        referral_number="REF123",
        service_facility={"name": "Satellite", "address": {**encounter(practice.id)["patient"]["address"]}},
        delay_reason_code="7",
    )
    response = await client.post("/v1/encounters", json=body, headers=auth)
    assert response.status_code == 201, response.text
    captured = [p for kind, p in await outbox(engine) if kind == "charge.captured"][-1]
    assert captured["referring_provider"]["last_name"] == "Moss" and captured["referral_number"] == "REF123"
    assert (captured["service_facility"]["name"], captured["delay_reason_code"]) == ("Satellite", "7")
    bad = await client.post("/v1/encounters", json={**body, "delay_reason_code": "12"}, headers=auth)
    assert bad.status_code == 422


async def test_a_supervised_associate_is_billed_as_each_payer_wants(
    client: AsyncClient, auth: dict[str, str], practice: Practice, engine: AsyncEngine
) -> None:
    """Commercial: the licensed supervisor renders. Medicaid: the associate renders with HO, and the supervisor is
    named for 2310D. Without a supervisor the claim is held, naming the field."""
    associate = {
        "npi": "1497758544",
        "first_name": "Lee",
        "last_name": "Park",
        "credential": "LPC-A",
        "taxonomy": "101YP2500X",
    }
    await post_ok(client, f"/v1/practices/{practice.id}/providers", associate, auth)
    supervised = {"rendering_provider_npi": associate["npi"], "supervising_provider_npi": SOCIAL_WORKER_NPI}
    for payer_id, rendering, supervising in (
        ("COM01", SOCIAL_WORKER_NPI, None),
        ("MCD01", "1497758544", SOCIAL_WORKER_NPI),
    ):
        coverage = {"payer_id": payer_id, "member_id": "XYZ123456789", "relationship": "self"}
        response = await client.post(
            "/v1/encounters", json=encounter(practice.id, coverage=coverage, **supervised), headers=auth
        )
        assert response.status_code == 201 and response.json()["status"] == "coded", response.text
        captured = [p for kind, p in await outbox(engine) if kind == "charge.captured"][-1]
        assert captured["rendering_provider"]["npi"] == rendering, payer_id
        assert (captured["supervising_provider"] or {}).get("npi") == supervising, payer_id
    assert captured["lines"][0]["modifiers"][0] == "HO"
    alone = await client.post(
        "/v1/encounters", json=encounter(practice.id, rendering_provider_npi=associate["npi"]), headers=auth
    )
    assert alone.json()["status"] == "needs_review"
    assert [p["field"] for p in alone.json()["problems"]] == ["supervising_provider_npi"]


async def test_a_procedure_keeps_its_own_authorization(
    client: AsyncClient, auth: dict[str, str], practice: Practice, engine: AsyncEngine
) -> None:
    procedures = [
        {"code": "90837", "minutes": 55, "diagnosis_pointers": [1], "prior_authorization_number": "AUTH-77"},
        {"code": "90785", "diagnosis_pointers": [1], "prior_authorization_number": "OP-1"},
    ]
    body = encounter(practice.id, service=None, procedures=procedures, prior_authorization_number="OP-1")
    response = await client.post("/v1/encounters", json=body, headers=auth)
    assert response.status_code == 201 and response.json()["status"] == "coded", response.text
    assert [c["prior_authorization_number"] for c in response.json()["charges"]] == ["AUTH-77", None]
    captured = [p for kind, p in await outbox(engine) if kind == "charge.captured"][-1]
    assert [line["prior_authorization_number"] for line in captured["lines"]] == ["AUTH-77", None]
