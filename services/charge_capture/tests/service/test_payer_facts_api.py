"""A practice's own payer facts against real PostgreSQL: set, read back, replaced and withdrawn through the set-up
API, each change publishing PayerFactsOverridden on charge-capture.v1; bad ones refused, changing nothing."""

from typing import Any
from uuid import UUID, uuid4

from charge_capture_testkit import Practice, count, outbox
from claimstream_devtools.testing import Keys
from httpx import AsyncClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

OVERRIDDEN = "payer.facts-overridden"


def _path(practice: Practice, payer_id: str = "COM01", start: str | None = "2026-01-01") -> str:
    path = f"/v1/practices/{practice.id}/payers/{payer_id}/facts"
    return f"{path}/{start}" if start else path


async def _overridden(engine: AsyncEngine) -> list[dict[str, Any]]:
    return [payload for kind, payload in await outbox(engine) if kind == OVERRIDDEN]


async def test_facts_are_set_read_back_replaced_and_withdrawn_each_publishing_the_event(
    client: AsyncClient, auth: dict[str, str], practice: Practice, engine: AsyncEngine, tenant: UUID
) -> None:
    facts = {"timely_filing": "180 days", "telehealth_modifier": "GT"}
    body = {"effective_to": "2027-01-01", "facts": facts}
    response = await client.put(_path(practice), json=body, headers=auth)
    assert response.status_code == 200, response.text
    stored = {"payer_id": "COM01", "effective_from": "2026-01-01", "effective_to": "2027-01-01", "facts": facts}
    assert response.json()["items"] == [stored]
    assert (await client.get(_path(practice, start=None), headers=auth)).json()["items"] == [stored]
    (event,) = await _overridden(engine)
    assert event["tenant_id"] == str(tenant)
    assert (event["practice_id"], event["payer_id"]) == (str(practice.id), "COM01")
    assert (event["effective_from"], event["effective_to"], event["facts"]) == ("2026-01-01", "2027-01-01", facts)

    replaced = {"facts": {"visit_limit": 20}}
    items = (await client.put(_path(practice), json=replaced, headers=auth)).json()["items"]
    assert items == [
        {"payer_id": "COM01", "effective_from": "2026-01-01", "effective_to": None, "facts": {"visit_limit": 20}}
    ]
    assert (await _overridden(engine))[-1]["facts"] == {"visit_limit": 20}
    assert (await _overridden(engine))[-1]["effective_to"] is None

    withdrawn = await client.delete(_path(practice), headers=auth)
    assert withdrawn.status_code == 200 and withdrawn.json()["items"] == []
    assert (await client.get(_path(practice, start=None), headers=auth)).json()["items"] == []
    last = (await _overridden(engine))[-1]
    assert (last["payer_id"], last["effective_from"], last["facts"]) == ("COM01", "2026-01-01", {})
    assert len(await _overridden(engine)) == 3
    assert await count(engine, "payer_fact_overrides") == 0


async def test_the_event_goes_on_charge_capture_v1_keyed_by_tenant_and_payer(
    client: AsyncClient, auth: dict[str, str], practice: Practice, engine: AsyncEngine, tenant: UUID
) -> None:
    body = {"facts": {"appeal": "90 days"}}
    assert (await client.put(_path(practice), json=body, headers=auth)).status_code == 200
    async with engine.connect() as connection:
        rows = (
            await connection.execute(text("SELECT topic, key, event_type FROM outbox WHERE topic <> 'access.v1'"))
        ).all()
    assert [tuple(row) for row in rows] == [
        ("charge-capture.v1", f"{tenant}:COM01", "claimstream.payer.facts-overridden.v1")
    ]


async def test_the_same_facts_again_or_a_retried_key_publish_once(
    client: AsyncClient, auth: dict[str, str], practice: Practice, engine: AsyncEngine
) -> None:
    body = {"facts": {"timely_filing": "180 days"}}
    keyed = {**auth, "Idempotency-Key": "facts-1"}
    first = await client.put(_path(practice), json=body, headers=keyed)
    again = await client.put(_path(practice), json=body, headers=keyed)
    assert again.json() == first.json()
    assert (await client.put(_path(practice), json=body, headers=auth)).status_code == 200
    assert len(await _overridden(engine)) == 1


async def test_overrides_from_different_days_are_kept_apart_and_listed_in_order(
    client: AsyncClient, auth: dict[str, str], practice: Practice
) -> None:
    for start, window in [("2026-07-01", "120 days"), ("2026-01-01", "180 days")]:
        body = {"facts": {"timely_filing": window}}
        assert (await client.put(_path(practice, start=start), json=body, headers=auth)).status_code == 200
    items = (await client.get(_path(practice, start=None), headers=auth)).json()["items"]
    assert [(i["effective_from"], i["facts"]["timely_filing"]) for i in items] == [
        ("2026-01-01", "180 days"),
        ("2026-07-01", "120 days"),
    ]
    other_payer = (await client.get(_path(practice, "MCR01", start=None), headers=auth)).json()["items"]
    assert other_payer == []


async def test_a_bad_window_or_fact_is_a_422_naming_the_field_and_changes_nothing(
    client: AsyncClient, auth: dict[str, str], practice: Practice, engine: AsyncEngine
) -> None:
    cases = [
        ({"effective_to": "2025-12-01", "facts": {"timely_filing": "180 days"}}, "effective_to"),
        ({"facts": {"timely_filling": "180 days"}}, "facts.timely_filling"),
        ({"facts": {"appeal": "90 day"}}, "facts.appeal"),
        ({"facts": {"telehealth_modifier": "GT", "timely_filing": 180}}, "facts.timely_filing"),
        ({"facts": {}}, "facts"),
    ]
    for body, field in cases:
        response = await client.put(_path(practice), json=body, headers=auth)
        assert response.status_code == 422, (body, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert [e["field"] for e in response.json()["errors"]] == [field]
    assert await count(engine, "payer_fact_overrides") == 0
    assert await count(engine, "outbox") == 0


async def test_another_tenants_practice_or_a_payer_not_set_up_is_a_404(
    client: AsyncClient, auth: dict[str, str], practice: Practice, keys: Keys, engine: AsyncEngine
) -> None:
    body = {"facts": {"timely_filing": "180 days"}}
    stranger = {"Authorization": f"Bearer {keys.issuer.issue(tenant_id=uuid4())}"}
    refused = await client.put(_path(practice), json=body, headers=stranger)
    assert refused.status_code == 404 and refused.json()["errors"][0]["field"] == "practice_id"
    assert (await client.get(_path(practice, start=None), headers=stranger)).status_code == 404
    assert (await client.delete(_path(practice), headers=stranger)).status_code == 404
    not_set_up = await client.put(_path(practice, "NOPE"), json=body, headers=auth)
    assert not_set_up.status_code == 404 and not_set_up.json()["errors"][0]["field"] == "payer_id"
    assert (await client.get(_path(practice, "NOPE", start=None), headers=auth)).status_code == 404
    assert await count(engine, "payer_fact_overrides") == 0
    assert await count(engine, "outbox") == 0


async def test_withdrawing_an_override_that_is_not_there_is_a_404_and_publishes_nothing(
    client: AsyncClient, auth: dict[str, str], practice: Practice, engine: AsyncEngine
) -> None:
    response = await client.delete(_path(practice, start="2026-03-01"), headers=auth)
    assert response.status_code == 404 and response.json()["errors"][0]["field"] == "effective_from"
    assert await count(engine, "outbox") == 0
