"""Practice set-up against real PostgreSQL: practices, providers, payers, policy overrides, fee schedules."""

from uuid import UUID, uuid4

from charge_capture_testkit import PRACTICE_NPI, Practice, address, encounter
from claimstream_devtools.testing import Keys
from httpx import AsyncClient


async def test_a_practice_with_a_bad_npi_or_tax_id_is_refused_naming_the_fields(
    client: AsyncClient, auth: dict[str, str]
) -> None:
    body = {"name": "X", "npi": "1234567890", "tax_id": "12-34", "taxonomy": "261QM0801X", "address": address()}
    response = await client.post("/v1/practices", json=body, headers=auth)
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"npi", "tax_id"}


async def test_practices_are_unique_per_billing_npi_and_listed_per_tenant(
    client: AsyncClient, auth: dict[str, str], practice: Practice, keys: Keys
) -> None:
    again = {**{k: practice.data[k] for k in ("name", "npi", "tax_id", "taxonomy", "address")}}
    assert (await client.post("/v1/practices", json=again, headers=auth)).status_code == 409
    listed = (await client.get("/v1/practices", headers=auth)).json()["items"]
    assert [p["npi"] for p in listed] == [PRACTICE_NPI]
    stranger = {"Authorization": f"Bearer {keys.issuer.issue(tenant_id=uuid4())}"}
    assert (await client.get("/v1/practices", headers=stranger)).json()["items"] == []
    assert (await client.get(f"/v1/practices/{practice.id}", headers=stranger)).status_code == 404


async def test_a_practice_scoped_token_cannot_create_practices(
    client: AsyncClient, keys: Keys, tenant: UUID, practice: Practice
) -> None:
    narrow = {"Authorization": f"Bearer {keys.issuer.issue(tenant_id=tenant, practice_ids=[practice.id])}"}
    body = {"name": "Y", "npi": "1497758544", "tax_id": "123456789", "taxonomy": "261QM0801X", "address": address()}
    response = await client.post("/v1/practices", json=body, headers=narrow)
    assert response.status_code == 403
    assert (await client.get(f"/v1/practices/{practice.id}", headers=narrow)).status_code == 200


async def test_providers_and_payers(client: AsyncClient, auth: dict[str, str], practice: Practice) -> None:
    providers = (await client.get(f"/v1/practices/{practice.id}/providers", headers=auth)).json()["items"]
    assert sorted(p["credential"] for p in providers) == ["LCSW", "MD", "PhD"]
    duplicate = {**{k: providers[0][k] for k in ("npi", "first_name", "last_name", "credential", "taxonomy")}}
    assert (
        await client.post(f"/v1/practices/{practice.id}/providers", json=duplicate, headers=auth)
    ).status_code == 409
    bad = {"npi": "1497758544", "first_name": "A", "last_name": "B", "credential": "RN", "taxonomy": "bad"}
    response = await client.post(f"/v1/practices/{practice.id}/providers", json=bad, headers=auth)
    assert {e["field"] for e in response.json()["errors"]} == {"credential", "taxonomy"}
    payers = (await client.get(f"/v1/practices/{practice.id}/payers", headers=auth)).json()["items"]
    assert [p["payer_id"] for p in payers] == ["COM01", "MCD01", "MCR01"]
    unknown_profile = {
        "payer_id": "X",
        "name": "X",
        "kind": "commercial",
        "claim_filing_indicator": "CI",
        "policy_profile": "nope",
    }
    response = await client.post(f"/v1/practices/{practice.id}/payers", json=unknown_profile, headers=auth)
    assert response.json()["errors"][0]["field"] == "policy_profile"
    missing = await client.post(
        f"/v1/practices/{uuid4()}/payers", json={**unknown_profile, "policy_profile": None}, headers=auth
    )
    assert missing.status_code == 404


async def test_fee_schedule_history_is_kept(client: AsyncClient, auth: dict[str, str], practice: Practice) -> None:
    path = f"/v1/practices/{practice.id}/fee-schedules/MCR01"
    newer = {"effective_from": "2026-01-01", "entries": [{"code": "90837", "amount": "155.10"}]}
    assert (await client.put(path, json=newer, headers=auth)).status_code == 200
    history = (await client.get(path, headers=auth)).json()["items"]
    assert [v["effective_from"] for v in history] == ["2026-01-01", "2025-01-01"]
    assert history[0]["entries"] == [{"code": "90837", "modifiers": [], "amount": "155.10"}]
    repeated = {
        "effective_from": "2026-01-01",
        "entries": [{"code": "90837", "amount": "1"}, {"code": "90837", "amount": "2"}],
    }
    assert (await client.put(path, json=repeated, headers=auth)).status_code == 422
    negative = {"effective_from": "2026-01-01", "entries": [{"code": "90837", "amount": "-1"}]}
    assert (await client.put(path, json=negative, headers=auth)).json()["errors"][0]["field"] == "entries.0.amount"
    assert (
        await client.put(f"/v1/practices/{practice.id}/fee-schedules/NOPE", json=newer, headers=auth)
    ).status_code == 404


async def test_a_payer_policy_override_changes_coding_from_its_date(
    client: AsyncClient, auth: dict[str, str], practice: Practice
) -> None:
    path = f"/v1/practices/{practice.id}/payers/COM01/policy"
    bad = await client.put(
        path, json={"effective_from": "2026-03-01", "settings": {"video_modifer": "GT"}}, headers=auth
    )
    assert bad.status_code == 422 and "video_modifer" in bad.json()["detail"]
    wrong_type = await client.put(
        path, json={"effective_from": "2026-03-01", "settings": {"telehealth_pos": "x"}}, headers=auth
    )
    assert wrong_type.status_code == 422
    good = {"effective_from": "2026-03-01", "settings": {"telehealth_pos": "02_10", "video_modifier": "GT"}}
    response = await client.put(path, json=good, headers=auth)
    assert response.status_code == 200 and len(response.json()["items"]) == 1
    for day, pos, modifier in [("2026-02-27", "11", "95"), ("2026-03-02", "10", "GT")]:
        body = encounter(practice.id, service_date=day, telehealth={"modality": "video"})
        result = (await client.post("/v1/encounters", json=body, headers=auth)).json()
        assert (result["place_of_service"], result["charges"][0]["modifiers"]) == (pos, [modifier])


async def test_the_same_fee_schedule_put_again_adds_no_version(
    client: AsyncClient, auth: dict[str, str], practice: Practice
) -> None:
    path = f"/v1/practices/{practice.id}/fee-schedules/MCR01"
    body = {"effective_from": "2026-02-01", "entries": [{"code": "90837", "modifiers": ["95"], "amount": "150.00"}]}
    first = (await client.put(path, json=body, headers=auth)).json()
    again = (await client.put(path, json=body, headers=auth)).json()
    assert again["id"] == first["id"]
    changed = {**body, "entries": [{"code": "90837", "modifiers": ["95"], "amount": "151.00"}]}
    assert (await client.put(path, json=changed, headers=auth)).json()["id"] != first["id"]
    history = (await client.get(path, headers=auth)).json()["items"]
    assert [v["effective_from"] for v in history].count("2026-02-01") == 2


async def test_a_solo_clinician_practice_bills_as_an_individual(client: AsyncClient, auth: dict[str, str]) -> None:
    body = {
        "name": "Ana Ruiz LCSW",
        "npi": "1245319599",
        "tax_id": "123456789",
        "taxonomy": "1041C0700X",
        "address": {"line1": "1 Elm St", "city": "Springfield", "state": "IL", "postal_code": "627011234"},
        "billing_entity": "individual",
    }
    missing = await client.post("/v1/practices", json=body, headers=auth)
    assert missing.status_code == 422
    created = await client.post("/v1/practices", json={**body, "first_name": "Ana", "last_name": "Ruiz"}, headers=auth)
    assert created.status_code == 201, created.text
    read = (await client.get(f"/v1/practices/{created.json()['id']}", headers=auth)).json()
    assert (read["billing_entity"], read["first_name"], read["last_name"]) == ("individual", "Ana", "Ruiz")
