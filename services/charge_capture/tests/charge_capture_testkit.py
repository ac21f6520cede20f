"""Charge capture's test helpers (a module of its own: several test trees have a conftest)."""

import json
from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

from httpx import AsyncClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

PSYCHIATRIST_NPI = "1234567893"
SOCIAL_WORKER_NPI = "1245319599"
PSYCHOLOGIST_NPI = "1003000126"
PRACTICE_NPI = "1679576722"


def address() -> dict[str, str]:
    return {"line1": "100 Main St", "city": "Springfield", "state": "IL", "postal_code": "627011234"}


@dataclass
class Practice:
    id: UUID
    data: dict[str, Any]


async def post_ok(client: AsyncClient, path: str, body: dict[str, Any], auth: dict[str, str]) -> dict[str, Any]:
    response = await client.post(path, json=body, headers=auth)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def encounter(practice_id: UUID, **changes: Any) -> dict[str, Any]:
    """A 53-minute video psychotherapy session by the social worker, billed to the commercial payer."""
    body: dict[str, Any] = {
        "practice_id": str(practice_id),
        "external_id": f"ehr-{uuid4().hex[:10]}",
        "service_date": "2026-03-02",
        "rendering_provider_npi": SOCIAL_WORKER_NPI,
        "patient": {
            "external_id": "p-1001",
            "first_name": "Jane",
            "last_name": "Doe",
            "birth_date": "1988-04-12",
            "sex": "F",
            "address": address(),
        },
        "coverage": {"payer_id": "COM01", "member_id": "XYZ123456789", "relationship": "self"},
        "diagnoses": ["F331", "Z63.0"],
        "place_of_service": "11",
        "service": {"kind": "psychotherapy", "minutes": 53},
    }
    body.update(changes)
    return body


async def outbox(engine: AsyncEngine) -> list[tuple[str, dict[str, Any]]]:
    async with engine.connect() as connection:
        rows = (
            await connection.execute(
                text("SELECT event_type, payload FROM outbox WHERE topic <> 'access.v1' ORDER BY seq")
            )
        ).all()
    return [
        (row.event_type.split(".")[1] + "." + row.event_type.split(".")[2], json.loads(row.payload)) for row in rows
    ]


async def count(engine: AsyncEngine, table: str) -> int:
    """Rows of `table`; of the outbox, the service's own events (not the access records of audited routes)."""
    where = " WHERE topic <> 'access.v1'" if table == "outbox" else ""
    async with engine.connect() as connection:
        return int((await connection.execute(text(f"SELECT count(*) FROM {table}{where}"))).scalar_one())
