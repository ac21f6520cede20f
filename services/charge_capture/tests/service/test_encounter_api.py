"""The encounter API against real PostgreSQL: coding, holding, idempotency, corrections, batches, scoping."""

import asyncio
from uuid import UUID, uuid4

from charge_capture_testkit import (
    PSYCHOLOGIST_NPI,
    Practice,
    count,
    encounter,
    outbox,
)
from claimstream_devtools.testing import Keys
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncEngine


async def test_a_clean_encounter_is_coded_priced_and_published(
    client: AsyncClient, auth: dict[str, str], practice: Practice, engine: AsyncEngine
) -> None:
    body = encounter(practice.id, telehealth={"modality": "video"})
    response = await client.post("/v1/encounters", json=body, headers=auth)
    assert response.status_code == 201, response.text
    result = response.json()
    assert result["status"] == "coded"
    assert result["place_of_service"] == "11"  # the commercial payer keeps the in-person POS for telehealth
    assert [(c["code"], c["modifiers"], c["units"], c["amount"]) for c in result["charges"]] == [
        ("90837", ["95"], 1, "140.00")
    ]
    assert result["charges"][0]["diagnosis_pointers"] == [1, 2]
    assert result["total_amount"] == "140.00"
    events = await outbox(engine)
    assert [kind for kind, _ in events] == ["encounter.received", "charge.captured"]
    captured = events[1][1]
    assert captured["diagnoses"] == ["F33.1", "Z63.0"]
    assert captured["rendering_provider"]["credential"] == "LCSW"
    assert captured["billing_provider"]["npi"] == practice.data["npi"]
    assert captured["payer"] == {
        "payer_id": "COM01",
        "name": "Commercial Health",
        "kind": "commercial",
        "claim_filing_indicator": "CI",
    }
    assert captured["total_amount"] == "140.00"
    assert captured["patient"]["last_name"] == "Doe"


async def test_a_rule_breaking_encounter_is_held_with_every_reason(
    client: AsyncClient, auth: dict[str, str], practice: Practice, engine: AsyncEngine
) -> None:
    body = encounter(
        practice.id,
        rendering_provider_npi=PSYCHOLOGIST_NPI,
        diagnoses=["Z63.0"],
        service={"kind": "psychotherapy_with_em", "minutes": 30, "em_code": "99213"},
    )
    response = await client.post("/v1/encounters", json=body, headers=auth)
    assert response.status_code == 201
    result = response.json()
    assert result["status"] == "needs_review"
    assert result["total_amount"] is None
    assert {(p["rule"], p["field"]) for p in result["problems"]} == {
        ("provider.scope", "rendering_provider_npi"),
        ("diagnosis.z-code-primary", "diagnoses[0]"),
    }
    events = await outbox(engine)
    assert [kind for kind, _ in events] == ["encounter.received", "charge.rejected"]
    assert len(events[1][1]["reasons"]) == 3  # the E/M and the add-on are each out of scope, plus the Z-code


async def test_unknown_provider_and_payer_are_held_not_refused(
    client: AsyncClient, auth: dict[str, str], practice: Practice
) -> None:
    body = encounter(practice.id, rendering_provider_npi="1497758544")
    body["coverage"]["payer_id"] = "NOPE"
    result = (await client.post("/v1/encounters", json=body, headers=auth)).json()
    assert result["status"] == "needs_review"
    assert {p["rule"] for p in result["problems"]} == {"provider.unknown", "payer.unknown"}


async def test_a_body_that_does_not_parse_lists_every_problem_and_stores_nothing(
    client: AsyncClient, auth: dict[str, str], practice: Practice, engine: AsyncEngine
) -> None:
    body = encounter(practice.id, rendering_provider_npi="1234567890", diagnoses=["banana"], place_of_service="1")
    del body["service_date"]
    response = await client.post("/v1/encounters", json=body, headers=auth)
    assert response.status_code == 422
    problem = response.json()
    assert response.headers["content-type"] == "application/problem+json"
    fields = {error["field"] for error in problem["errors"]}
    assert fields == {"service_date", "rendering_provider_npi", "diagnoses.0", "place_of_service"}
    assert "1234567890" not in response.text and "banana" not in response.text
    assert await count(engine, "encounters") == 0
    assert await count(engine, "outbox") == 0


async def test_posting_the_same_encounter_again_returns_it_and_changes_nothing(
    client: AsyncClient, auth: dict[str, str], practice: Practice, engine: AsyncEngine
) -> None:
    body = encounter(practice.id)
    first = await client.post("/v1/encounters", json=body, headers=auth)
    again = await client.post("/v1/encounters", json=body, headers=auth)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert await count(engine, "encounters") == 1
    assert await count(engine, "outbox") == 2


async def test_different_content_under_the_same_external_id_is_a_conflict(
    client: AsyncClient, auth: dict[str, str], practice: Practice, engine: AsyncEngine
) -> None:
    body = encounter(practice.id)
    await client.post("/v1/encounters", json=body, headers=auth)
    changed = {**body, "service": {"kind": "psychotherapy", "minutes": 45}}
    response = await client.post("/v1/encounters", json=changed, headers=auth)
    assert response.status_code == 409
    assert response.json()["errors"][0]["field"] == "external_id"
    assert await count(engine, "encounters") == 1


async def test_concurrent_posts_of_one_encounter_create_one(
    client: AsyncClient, auth: dict[str, str], practice: Practice, engine: AsyncEngine
) -> None:
    body = encounter(practice.id)
    responses = await asyncio.gather(*(client.post("/v1/encounters", json=body, headers=auth) for _ in range(10)))
    assert sorted(r.status_code for r in responses) == [200] * 9 + [201]
    assert len({r.json()["id"] for r in responses}) == 1
    assert await count(engine, "encounters") == 1
    assert await count(engine, "outbox") == 2


async def test_an_idempotency_key_replays_the_first_answer(
    client: AsyncClient, auth: dict[str, str], practice: Practice, engine: AsyncEngine
) -> None:
    body = encounter(practice.id)
    headers = {**auth, "Idempotency-Key": "retry-1"}
    first = await client.post("/v1/encounters", json=body, headers=headers)
    replay = await client.post("/v1/encounters", json=body, headers=headers)
    assert replay.status_code == 201 and replay.headers["idempotent-replayed"] == "true"
    assert replay.json() == first.json()
    assert await count(engine, "encounters") == 1


async def test_a_correction_voids_the_old_charges_and_captures_new_ones(
    client: AsyncClient, auth: dict[str, str], practice: Practice, engine: AsyncEngine
) -> None:
    body = encounter(practice.id, service={"kind": "psychotherapy", "minutes": 12})
    created = (await client.post("/v1/encounters", json=body, headers=auth)).json()
    assert created["status"] == "needs_review"
    fixed = {**body, "service": {"kind": "psychotherapy", "minutes": 40}}
    response = await client.put(f"/v1/encounters/{created['id']}", json=fixed, headers=auth)
    assert response.status_code == 200, response.text
    assert (response.json()["version"], response.json()["status"]) == (2, "coded")
    assert [c["code"] for c in response.json()["charges"]] == ["90834"]
    recoded = {**body, "service": {"kind": "psychotherapy", "minutes": 60}}
    third = (await client.put(f"/v1/encounters/{created['id']}", json=recoded, headers=auth)).json()
    assert (third["version"], [c["code"] for c in third["charges"]]) == (3, ["90837"])
    kinds = [(kind, payload["version"]) for kind, payload in await outbox(engine)]
    assert kinds == [
        ("encounter.received", 1),
        ("charge.rejected", 1),
        ("encounter.received", 2),
        ("charge.captured", 2),
        ("charge.voided", 2),
        ("encounter.received", 3),
        ("charge.captured", 3),
    ]
    same_again = await client.put(f"/v1/encounters/{created['id']}", json=recoded, headers=auth)
    assert same_again.json()["version"] == 3
    fetched = (await client.get(f"/v1/encounters/{created['id']}", headers=auth)).json()
    assert fetched["encounter"]["service"]["minutes"] == 60


async def test_a_correction_cannot_move_an_encounter(
    client: AsyncClient, auth: dict[str, str], practice: Practice
) -> None:
    body = encounter(practice.id)
    created = (await client.post("/v1/encounters", json=body, headers=auth)).json()
    response = await client.put(f"/v1/encounters/{created['id']}", json={**body, "external_id": "other"}, headers=auth)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "external_id"


async def test_batch_gives_a_result_per_item(
    client: AsyncClient, auth: dict[str, str], practice: Practice, engine: AsyncEngine
) -> None:
    repeated = encounter(practice.id)
    items = [
        encounter(practice.id),
        {**encounter(practice.id), "diagnoses": []},  # does not parse
        repeated,
        repeated,  # the same encounter twice in one batch
        {**repeated, "place_of_service": "12"},  # same external id, other content
        encounter(uuid4()),  # a practice that does not exist
        encounter(practice.id, service={"kind": "psychotherapy", "minutes": 10}),  # held
    ]
    response = await client.post("/v1/encounters/batch", json={"encounters": items}, headers=auth)
    assert response.status_code == 200, response.text
    result = response.json()
    assert [r["outcome"] for r in result["results"]] == [
        "created",
        "invalid",
        "created",
        "existing",
        "conflict",
        "not_found",
        "created",
    ]
    assert result["results"][1]["errors"][0]["field"] == "diagnoses"
    assert result["results"][6]["encounter"]["status"] == "needs_review"
    assert (result["created"], result["existing"], result["failed"]) == (3, 1, 3)
    assert await count(engine, "encounters") == 3
    assert await count(engine, "outbox") == 6


async def test_batch_size_is_limited(client: AsyncClient, auth: dict[str, str]) -> None:
    response = await client.post("/v1/encounters/batch", json={"encounters": [{}] * 1001}, headers=auth)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "encounters"


async def test_list_filters_and_pages(client: AsyncClient, auth: dict[str, str], practice: Practice) -> None:
    for minutes in (10, 45, 45, 45):
        await client.post(
            "/v1/encounters",
            json=encounter(practice.id, service={"kind": "psychotherapy", "minutes": minutes}),
            headers=auth,
        )
    held = (await client.get(f"/v1/encounters?practice_id={practice.id}&status=needs_review", headers=auth)).json()
    assert [item["status"] for item in held["items"]] == ["needs_review"]
    first = (await client.get("/v1/encounters?status=coded&limit=2", headers=auth)).json()
    second = (
        await client.get(f"/v1/encounters?status=coded&limit=2&cursor={first['next_cursor']}", headers=auth)
    ).json()
    assert len(first["items"]) == 2 and len(second["items"]) == 1 and second["next_cursor"] is None
    one = held["items"][0]["external_id"]
    found = (await client.get(f"/v1/encounters?external_id={one}", headers=auth)).json()
    assert [item["external_id"] for item in found["items"]] == [one]


async def test_other_tenants_and_out_of_scope_practices_see_nothing(
    client: AsyncClient, auth: dict[str, str], practice: Practice, keys: Keys, tenant: UUID, engine: AsyncEngine
) -> None:
    created = (await client.post("/v1/encounters", json=encounter(practice.id), headers=auth)).json()
    stranger = {"Authorization": f"Bearer {keys.issuer.issue(tenant_id=uuid4())}"}
    assert (await client.get(f"/v1/encounters/{created['id']}", headers=stranger)).status_code == 404
    assert (await client.post("/v1/encounters", json=encounter(practice.id), headers=stranger)).status_code == 404
    narrow = {"Authorization": f"Bearer {keys.issuer.issue(tenant_id=tenant, practice_ids=[uuid4()])}"}
    assert (await client.get(f"/v1/encounters/{created['id']}", headers=narrow)).status_code == 404
    assert (await client.get("/v1/encounters", headers=narrow)).json()["items"] == []
    assert (await client.post("/v1/encounters", json=encounter(practice.id), headers=narrow)).status_code == 404
    assert await count(engine, "encounters") == 1
