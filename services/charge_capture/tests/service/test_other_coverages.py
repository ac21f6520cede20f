"""An encounter with a secondary (and tertiary) coverage: carried to the claim with each payer as set up, or
refused naming the coverage at fault."""

from typing import Any

from charge_capture_testkit import Practice, count, encounter, outbox
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncEngine

MEDICAID_SECONDARY = {
    "payer_id": "MCD01",
    "member_id": "MCD778899",
    "relationship": "self",
    "responsibility": "secondary",
}


def with_others(practice: Practice, *others: dict[str, Any]) -> dict[str, Any]:
    coverage = {"payer_id": "MCR01", "member_id": "1EG4TE5MK73", "relationship": "self"}
    return encounter(practice.id, coverage=coverage, other_coverages=list(others))


async def test_a_secondary_coverage_reaches_the_claim_with_its_payer(
    client: AsyncClient, auth: dict[str, str], practice: Practice, engine: AsyncEngine
) -> None:
    tertiary = {"payer_id": "COM01", "member_id": "C-1", "relationship": "self", "responsibility": "tertiary"}
    response = await client.post(
        "/v1/encounters", json=with_others(practice, MEDICAID_SECONDARY, tertiary), headers=auth
    )
    assert response.status_code == 201, response.text
    captured = [p for kind, p in await outbox(engine) if kind == "charge.captured"][-1]
    others = captured["other_coverages"]
    assert [(o["responsibility"], o["payer"]["payer_id"], o["payer"]["claim_filing_indicator"]) for o in others] == [
        ("secondary", "MCD01", "MC"),
        ("tertiary", "COM01", "CI"),
    ]
    assert others[0]["patient_has_own_id"] is True  # a Medicaid member id is the patient's own
    assert captured["payer"]["payer_id"] == "MCR01"


async def test_an_other_payer_not_set_up_holds_the_encounter_naming_the_coverage(
    client: AsyncClient, auth: dict[str, str], practice: Practice
) -> None:
    unknown = {**MEDICAID_SECONDARY, "payer_id": "NOPE1"}
    response = await client.post("/v1/encounters", json=with_others(practice, unknown), headers=auth)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "needs_review"
    assert [(p["rule"], p["field"]) for p in body["problems"]] == [("payer.unknown", "other_coverages[0].payer_id")]


async def test_coverages_out_of_order_or_repeating_a_payer_are_refused(
    client: AsyncClient, auth: dict[str, str], practice: Practice, engine: AsyncEngine
) -> None:
    tertiary_only = {**MEDICAID_SECONDARY, "responsibility": "tertiary"}
    same_payer = {**MEDICAID_SECONDARY, "payer_id": "MCR01"}
    for others in ([tertiary_only], [same_payer], [MEDICAID_SECONDARY, MEDICAID_SECONDARY]):
        response = await client.post("/v1/encounters", json=with_others(practice, *others), headers=auth)
        assert response.status_code == 422, response.text
        assert "other_coverages" in response.text
    assert await count(engine, "encounters") == 0
