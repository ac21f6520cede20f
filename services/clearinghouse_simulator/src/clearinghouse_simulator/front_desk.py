"""The demo practices' front desk, before a visit is posted: the patient's coverage is checked with claimstream's
eligibility service (a 270 to the simulated payer, its 271 read back), and psychological testing is authorized
with its prior-authorization service (a 278) rather than with a number typed in. A request the services refuse or
cannot answer does not stop the visit: the front desk only asks. At one visit in ten it also collects from the
practice's patient who owes the most (patient billing): all of it, or half, in cash, by check or by card; and at
one in fifty the billing office runs the practice's statements (emailed to the patients who gave an address, who
answer them from home: patients.py)."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Any

import httpx

from clearinghouse_simulator.patients import Patients

TESTING_CODES = ["96130", "96131", "96136", "96137"]
COLLECT_EVERY = 10  # visits between two collections at the desk
STATEMENTS_EVERY = 50  # visits between two statement runs of the billing office (each account once a cycle)
METHODS = ("cash", "check", "card_present")


@dataclass
class FrontDesk:
    eligibility: httpx.AsyncClient | None = None
    authorizations: httpx.AsyncClient | None = None
    patients: httpx.AsyncClient | None = None
    at_home: Patients | None = None  # the patients reading their emailed statements (a stack with a mail sink)
    visits: int = 0

    async def before(self, practice: dict[str, Any], visit: dict[str, Any]) -> None:
        self.visits += 1
        unpaid = self.at_home.unpaid if self.at_home else set()
        if self.patients is not None and self.visits % COLLECT_EVERY == 0:
            if self.at_home is not None:
                await self.at_home.open_mail()
            await collect(self.patients, visit["practice_id"], self.visits // COLLECT_EVERY, unpaid)
        if self.patients is not None and self.visits % STATEMENTS_EVERY == 0:
            addressed = await send_statements(self.patients, visit["practice_id"])
            if self.at_home is not None:
                self.at_home.addressed.update(addressed)
        await verify(self.eligibility, practice, visit)
        if self.authorizations is not None and visit["service"]["kind"] == "psychological_testing":
            if visit.pop("prior_authorization_number", None) is not None:  # a visit the practice would authorize
                await authorize(self.authorizations, practice, visit)


def _who(visit: dict[str, Any]) -> dict[str, Any]:
    patient = visit["patient"]
    return {
        "practice_id": visit["practice_id"],
        "patient": {key: patient[key] for key in ("external_id", "first_name", "last_name", "birth_date")},
        "coverage": {key: visit["coverage"][key] for key in ("payer_id", "member_id")},
    }


async def verify(eligibility: httpx.AsyncClient | None, practice: dict[str, Any], visit: dict[str, Any]) -> int | None:
    """Ask about the visit's patient and primary coverage; the HTTP status, or None when there is no service."""
    if eligibility is None:
        return None
    request = {
        **_who(visit),
        "service_date": visit["service_date"],
        "provider": {"npi": practice["npi"], "name": practice["name"][:60]},
    }
    return await _post(eligibility, "/v1/eligibility-checks", request)


async def authorize(authorizations: httpx.AsyncClient, practice: dict[str, Any], visit: dict[str, Any]) -> int | None:
    """Ask the payer to authorize the testing (eight units over 90 days) for the visit's clinician."""
    start = date.fromisoformat(visit["service_date"])
    request = {
        **_who(visit),
        "codes": TESTING_CODES,
        "quantity": 8,
        "unit": "units",
        "start": start.isoformat(),
        "end": (start + timedelta(days=90)).isoformat(),
        "diagnoses": visit["diagnoses"][:4],
        "provider": {"npi": visit["rendering_provider_npi"], "name": practice["name"][:60]},
    }
    return await _post(authorizations, "/v1/authorizations", request)


async def collect(patients: httpx.AsyncClient, practice_id: str, turn: int, unpaid: set[str]) -> int | None:
    """The practice's patient who owes the most pays at the desk (but one left to dunning): every other turn all of
    it, else half."""
    try:
        listed = await patients.get("/v1/patient-accounts", params={"practice_id": practice_id, "limit": 5})
        items = listed.json().get("items", []) if listed.is_success else []
        owing = [a for a in items if Decimal(a["balance"]) > 0 and a["id"] not in unpaid]
    except httpx.HTTPError:
        return None
    if not owing:
        return None
    balance = Decimal(owing[0]["balance"])
    amount = balance if turn % 2 else (balance / 2).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    payment = {"amount": str(max(amount, Decimal("0.01"))), "method": METHODS[turn % len(METHODS)]}
    return await _post(patients, f"/v1/patient-accounts/{owing[0]['id']}/payments", payment)


async def send_statements(patients: httpx.AsyncClient, practice_id: str) -> dict[str, str]:
    """The billing office's run for the practice, its patients who owe most asked for an email address first (the
    others' statements go to the mail house's batch); the addresses given, with their accounts."""
    addressed = {}
    try:
        listed = await patients.get("/v1/patient-accounts", params={"practice_id": practice_id, "limit": 3})
        for account in listed.json().get("items", []) if listed.is_success else []:
            contact = {"email": f"patient-{account['id'][:8]}@example.org", "statements_by": "email"}
            await patients.put(f"/v1/patient-accounts/{account['id']}/contact", json=contact)
            addressed[contact["email"]] = account["id"]
    except httpx.HTTPError:
        return addressed
    await _post(patients, f"/v1/practices/{practice_id}/statement-runs", {})
    return addressed


async def _post(client: httpx.AsyncClient, path: str, request: dict[str, Any]) -> int | None:
    try:
        return (await client.post(path, json=request)).status_code
    except httpx.HTTPError:
        return None
