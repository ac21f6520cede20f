"""The demo practices' front desk: before a visit is posted, the patient's coverage is checked with claimstream's
eligibility service (a 270 to the simulated payer, its 271 read back). A check the service refuses or cannot
answer does not stop the visit: the front desk only asks."""

from typing import Any

import httpx


async def verify(eligibility: httpx.AsyncClient | None, practice: dict[str, Any], visit: dict[str, Any]) -> int | None:
    """Ask about the visit's patient and primary coverage; the HTTP status, or None when there is no service."""
    if eligibility is None:
        return None
    patient = visit["patient"]
    request = {
        "practice_id": visit["practice_id"], "service_date": visit["service_date"],
        "patient": {key: patient[key] for key in ("external_id", "first_name", "last_name", "birth_date")},
        "coverage": {key: visit["coverage"][key] for key in ("payer_id", "member_id")},
        "provider": {"npi": practice["npi"], "name": practice["name"][:60]},
    }  # fmt: skip
    try:
        return (await eligibility.post("/v1/eligibility-checks", json=request)).status_code
    except httpx.HTTPError:
        return None
