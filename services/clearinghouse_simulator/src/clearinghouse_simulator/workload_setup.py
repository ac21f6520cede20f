"""The workload's set-up in claimstream and at the payers: practices, clinicians, payers and fee schedules through
claimstream's API, the patients on the payers' rosters through the simulator's (workload.py posts the visits)."""

from collections.abc import Sequence
from datetime import date

import httpx

from clearinghouse_simulator.practices import PracticePlan
from clearinghouse_simulator.rosters import Patient, member_bodies
from clearinghouse_simulator.workload_mix import CHARGES


async def _practice_with_npi(claimstream: httpx.AsyncClient, npi: str) -> str:
    """The id of the tenant's practice with this billing NPI, looked for a page of practices at a time."""
    cursor: str | None = None
    while True:
        query: dict[str, str | int] = {"limit": 200, **({"cursor": cursor} if cursor else {})}
        page = (await claimstream.get("/v1/practices", params=query)).json()
        found = [p["id"] for p in page["items"] if p["npi"] == npi]
        if found or page["next_cursor"] is None:
            return str(found[0])
        cursor = page["next_cursor"]


async def set_up(
    claimstream: httpx.AsyncClient, simulator: httpx.AsyncClient, plans: Sequence[PracticePlan], today: date
) -> None:
    """Practices, clinicians, payers and fee schedules in claimstream; the patients on the payers' rosters."""
    fees = [{"code": code, "amount": amount} for code, amount in CHARGES.items()]
    for plan in plans:
        created = await claimstream.post("/v1/practices", json=plan.body)
        if created.status_code == 409:  # set up by an earlier run: find it by its billing NPI
            plan.id = await _practice_with_npi(claimstream, plan.body["npi"])
        else:
            created.raise_for_status()
            plan.id = created.json()["id"]
        for provider in plan.providers:
            await _created_or_exists(await claimstream.post(f"/v1/practices/{plan.id}/providers", json=provider))
        for payer in plan.payers:
            await _created_or_exists(await claimstream.post(f"/v1/practices/{plan.id}/payers", json=payer))
            schedule = {"effective_from": f"{today.year - 1}-01-01", "entries": fees}
            response = await claimstream.put(
                f"/v1/practices/{plan.id}/fee-schedules/{payer['payer_id']}", json=schedule
            )
            response.raise_for_status()
        for patient in plan.patients:
            await enroll(simulator, patient, today)


async def enroll(simulator: httpx.AsyncClient, patient: Patient, today: date) -> None:
    """The patient on the rosters of the payers whose plans they hold (and their administrator's, by the API)."""
    for payer_id, member in member_bodies(patient, today):
        (await simulator.post(f"/v1/payers/{payer_id}/members", json=member)).raise_for_status()


async def _created_or_exists(response: httpx.Response) -> None:
    if response.status_code not in (201, 409):
        response.raise_for_status()
