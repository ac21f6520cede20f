"""A practice's world for the walls sweep (test_walls_sweep.py), built by the real flow over HTTP.

One practice billing Medicare and the HMO, its patient enrolled with both (and once with coverage that starts
after the visit), and from its visits: a claim the payer paid (its remittance and postings), three telehealth
visits the HMO denies at the office place (CO-5: cases corrected by denial management), a visit before
coverage (CO-26: a case for a person, which the practice appeals), an eligibility check, a good-faith estimate,
a manual authorization, an 835 the practice uploads whose payment matches no claim (an exception), and the paid
visit's patient account with a payment at the desk and its statement. A scrub-rule suggestion is added by
walls_sweep.py (the flow cannot produce one: see there). `ids` gives every path parameter of every route a real
value of this world.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any, TypeVar
from uuid import UUID, uuid4

import httpx
from claimstream_devtools.running_services import Services
from claimstream_devtools.testing import Keys
from claimstream_platform.dates import add_months, business_date
from remittance_testkit import Payment, era
from test_encounter_to_claim import PAYERS, _enroll, _practice_billing, _telehealth_visit, ok

T = TypeVar("T")
FACTS_FROM = "2020-01-01"
TODAY = str(business_date())  # a day of the statements' (a date, the same for a world and its twin)


@dataclass
class World:
    tenant: UUID
    ids: dict[str, Any]  # a parameter or field name -> a real id of this world
    markers: set[str]  # what only this world's rows carry: its objects' ids, its patient's surname

    def twin(self) -> dict[str, Any]:
        """The same ids, each replaced by one that never existed (what a wall must answer alike)."""
        return {name: _never_existed(value) for name, value in self.ids.items()}


def _never_existed(value: Any) -> Any:
    if isinstance(value, list):
        return [_never_existed(each) for each in value]
    if isinstance(value, int):
        return 2**62 + value
    try:
        return str(uuid4()) if UUID(str(value)) else value
    except ValueError:
        return f"NX{value}"[:20] if value not in ("SIMAHP", FACTS_FROM, "discard", TODAY) else value


async def until(probe: Callable[[], Awaitable[T | None]], what: str, timeout: float = 60) -> T:
    """Poll `probe` (bounded) until it answers something."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = await probe()
        if found:
            return found
        await asyncio.sleep(0.4)
    raise AssertionError(f"no {what} within {timeout} s")


@dataclass
class Http:
    capture: httpx.AsyncClient
    claims: httpx.AsyncClient
    eligibility: httpx.AsyncClient
    authorizations: httpx.AsyncClient
    remittances: httpx.AsyncClient
    denials: httpx.AsyncClient
    patients: httpx.AsyncClient
    office: httpx.AsyncClient
    simulator: httpx.AsyncClient


def http(services: Services, token: str) -> Http:
    headers = {"Authorization": f"Bearer {token}"}
    urls = [
        services.charge_capture,
        services.claim_submission,
        services.eligibility,
        services.prior_authorization,
        services.remittance_posting,
        services.denial_management,
        services.patient_billing,
        services.billing_office,
    ]
    ours = [httpx.AsyncClient(base_url=url, headers=headers, timeout=30) for url in urls]
    outside = httpx.AsyncClient(base_url=services.simulator, headers=services.clearinghouse_auth, timeout=30)
    capture, claims, eligibility, authorizations, remittances, denials, patients, office = ours
    return Http(capture, claims, eligibility, authorizations, remittances, denials, patients, office, outside)


async def build_world(services: Services, keys: Keys, tenant: UUID, surname: str) -> World:
    c = http(services, keys.issuer.issue(tenant_id=tenant))
    try:
        ids = await _set_up(c, surname)
        ids |= await _visits(c, ids, surname)
        ids |= await _front_desk(c, ids, surname)
        ids |= await _unmatched_payment(c)
        ids |= await _outcomes(c, ids)
        ids |= await _patient_account(c)
        ids |= await _invoice(c, ids)
    finally:
        for client in vars(c).values():
            await client.aclose()
    interchange = f'"interchange_number":{ids["number"]},'  # how a list shows it
    return World(tenant, ids, {surname, str(tenant), interchange, *_flat(ids)})


def _flat(ids: Any) -> set[str]:
    """Every id of the world that is its own (not a payer's code, a date or an action every tenant sends)."""
    if isinstance(ids, dict):
        return set().union(*[_flat(value) for value in ids.values()])
    if isinstance(ids, list):
        return set().union(*[_flat(value) for value in ids])
    text = str(ids)
    return {text} if len(text) >= 8 and not isinstance(ids, int) and text not in (FACTS_FROM, TODAY) else set()


async def _set_up(c: Http, surname: str) -> dict[str, Any]:
    """The practice, its payers and fee schedules, a fact of its own, and its patient on the payers' rosters."""
    practice_id = await _practice_billing(c.capture, "SIMMCR")
    await ok(await c.capture.post(f"/v1/practices/{practice_id}/payers", json=PAYERS["SIMAHP"]))
    fees = {"effective_from": "2025-01-01", "entries": [{"code": "90834", "amount": "140.00"}]}
    version = await ok(await c.capture.put(f"/v1/practices/{practice_id}/fee-schedules/SIMAHP", json=fees))
    facts = {"facts": {"timely_filing": "180 days"}}
    await ok(await c.capture.put(f"/v1/practices/{practice_id}/payers/SIMAHP/facts/{FACTS_FROM}", json=facts))
    medicare = await _enroll(c.simulator, "SIMMCR", "Ines", surname)
    hmo = await _enroll(c.simulator, "SIMAHP", "Ines", surname)
    late = f"L{uuid4().hex[:10].upper()}"  # coverage from today: a visit three days ago is before it (CO-26)
    roster = {"member_id": late, "first_name": "Ines", "last_name": surname, "birth_date": "1969-05-05"}
    await ok(await c.simulator.post("/v1/payers/SIMMCR/members", json=roster | {"coverage_start": TODAY}))
    return {
        "practice_id": practice_id,
        "payer_id": "SIMAHP",
        "version_id": version["id"],
        "effective_from": FACTS_FROM,
        "member_id": medicare,
        "members": {"SIMMCR": medicare, "SIMAHP": hmo, "late": late},
        "patient_ref": f"desk-{surname.lower()}",  # the front desk's patient (their checks stay off the claims)
        "patient": f"desk-{surname.lower()}",
    }


def _visit(ids: dict[str, Any], surname: str, payer: str, member: str, days_ago: int, minutes: int) -> Any:
    body = _telehealth_visit(ids["practice_id"], payer, member, [], ("Ines", surname), minutes)
    body["external_id"] = f"visit-{payer}-{days_ago}-{member}"
    body["patient"]["external_id"] = f"pt-{member.lower()}"
    body["service_date"] = str(business_date() - timedelta(days=days_ago))
    return body


async def _visits(c: Http, ids: dict[str, Any], surname: str) -> dict[str, Any]:
    """A visit Medicare pays, three the HMO denies at the office place, one before the patient's coverage."""
    members = ids["members"]
    paid = _visit(ids, surname, "SIMMCR", members["SIMMCR"], 3, 55)
    denied = [_visit(ids, surname, "SIMAHP", members["SIMAHP"], days, 45) for days in (4, 5, 6)]
    uncovered = _visit(ids, surname, "SIMMCR", members["late"], 2, 55)
    posted = await asyncio.gather(*[c.capture.post("/v1/encounters", json=b) for b in [paid, *denied, uncovered]])
    encounters = [(await ok(response))["id"] for response in posted]
    return {"encounter_id": encounters[0], "denied_encounters": encounters[1:4], "uncovered_encounter": encounters[4]}


def _patient(ids: dict[str, Any], surname: str) -> dict[str, str]:
    return {"external_id": ids["patient_ref"], "first_name": "Ines", "last_name": surname, "birth_date": "1969-05-05"}


async def _front_desk(c: Http, ids: dict[str, Any], surname: str) -> dict[str, Any]:
    """An eligibility check, a good-faith estimate and a manual authorization for the patient."""
    practice, patient = ids["practice_id"], _patient(ids, surname)
    provider = {"npi": "1245319599", "name": "Bayview Therapy"}
    coverage = {"payer_id": "SIMMCR", "member_id": ids["member_id"]}
    today = business_date()
    check = {"practice_id": practice, "patient": patient, "coverage": coverage, "provider": provider}
    checked = await ok(await c.eligibility.post("/v1/eligibility-checks", json=check | {"service_date": str(today)}))
    services = [{"code": "90837", "label": "Therapy, 60 minutes", "fee": "180.00", "quantity": 4}]
    period = {"period_from": str(today), "period_to": str(today + timedelta(days=30)), "services": services}
    estimate = {"practice_id": practice, "patient": patient, "provider": provider}
    estimated = await ok(await c.eligibility.post("/v1/good-faith-estimates", json=estimate | period))
    manual = check | {"start": str(today), "end": str(today + timedelta(days=90))}
    manual |= {"authorization_number": f"A{uuid4().hex[:8].upper()}", "approved": 12, "codes": ["90837"]}
    manual |= {"quantity": 12, "unit": "visits"}
    authorized = await ok(await c.authorizations.post("/v1/authorizations/manual", json=manual))
    return {"check_id": checked["id"], "estimate_id": estimated["id"], "authorization_id": authorized["id"]}


async def _unmatched_payment(c: Http) -> dict[str, Any]:
    """An 835 the practice uploads whose one payment matches no claim: the exceptions queue's."""
    x12 = era(Payment(f"NOSUCH{uuid4().hex[:8].upper()}"), trace=uuid4().hex[:12].upper(), payer_id="SIMMCR")
    headers = {"Content-Type": "application/edi-x12"}
    receipt = await ok(await c.remittances.post("/v1/remittances", content=x12.encode(), headers=headers))
    (remittance,) = receipt["remittances"]

    async def exception() -> str | None:
        items: Any = (await ok(await c.remittances.get("/v1/remittances/exceptions", params={"limit": 200})))["items"]
        return next((str(p["id"]) for p in items if str(p.get("remittance_id")) == str(remittance["id"])), None)

    return {"uploaded_remittance": remittance["id"], "payment_id": await until(exception, "exception payment")}


async def _claims_of(c: Http, encounter_id: str, status: str) -> dict[str, Any] | None:
    found = (await ok(await c.claims.get("/v1/claims", params={"encounter_id": encounter_id})))["items"]
    return next((claim for claim in found if claim["status"] == status), None)


async def _outcomes(c: Http, ids: dict[str, Any]) -> dict[str, Any]:
    """The paid claim and its remittance, the appealed case, a bulk action, the suggestion and an interchange, once
    there."""
    claim = await until(lambda: _claims_of(c, ids["encounter_id"], "accepted"), "accepted claim")
    postings = await until(lambda: _postings(c, claim["id"]), "posting of the paid claim", 90)
    case_id = await until(lambda: _case_of(c, ids["uncovered_encounter"]), "case of the visit before coverage", 90)
    await ok(await c.denials.post(f"/v1/denials/{case_id}/appeal", json={"reason": "coverage was active"}))
    case = await ok(await c.denials.get(f"/v1/denials/{case_id}"))
    job = await _bulk_assigned(c)
    interchanges = (await ok(await c.claims.get("/v1/interchanges")))["items"]
    return {
        "claim_id": claim["id"],
        "payer_claim_number": claim["payer_claim_number"],
        "patient_control_number": claim["patient_control_number"],
        "remittance_id": postings[0]["remittance_id"],
        "case_id": case_id,
        "appeal_id": case["appeals"][0]["id"],
        "job_id": job["id"],
        "number": interchanges[0]["interchange_number"],
    }


async def _bulk_assigned(c: Http) -> dict[str, Any]:
    """The appealed case assigned by a bulk action, once the worker has worked it (so nothing moves in the sweep)."""
    asked = await ok(await c.denials.post("/v1/denials/bulk", json={"action": "assign", "assignee": "x"}))
    assert asked["total"] >= 1, asked  # a job of cases, so that its practices are walled

    async def finished() -> dict[str, Any] | None:
        job: dict[str, Any] = await ok(await c.denials.get(f"/v1/denials/bulk/{asked['id']}"))
        return job if job["status"] == "finished" else None

    return await until(finished, "bulk action worked", 60)


async def _patient_account(c: Http) -> dict[str, Any]:
    """The paid visit's patient account (the payer left her a share), and a payment she made at the desk."""

    async def account() -> str | None:
        items = (await ok(await c.patients.get("/v1/patient-accounts")))["items"]
        return next((str(a["id"]) for a in items if Decimal(a["balance"]) > 0), None)  # the paid visit's share

    account_id = await until(account, "patient account", 90)
    payment = {"amount": "5.00", "method": "cash"}
    await ok(await c.patients.post(f"/v1/patient-accounts/{account_id}/payments", json=payment))
    practice = (await ok(await c.patients.get(f"/v1/patient-accounts/{account_id}")))["practice_id"]
    await ok(await c.patients.post(f"/v1/practices/{practice}/statement-runs"))
    statements = await ok(await c.patients.get(f"/v1/patient-accounts/{account_id}/statements"))
    return {"account_id": account_id, "statement_id": statements[0]["id"], "issued_on": TODAY}


async def _invoice(c: Http, ids: dict[str, Any]) -> dict[str, Any]:
    """The practice's fee agreement from two months back and its invoices for the months ended since; its ERA
    enrollment with Medicare, and a task of it."""
    first = add_months(business_date().replace(day=1), -2)
    terms = {"effective_from": str(first), "insurance_percent": "6", "patient_percent": "4", "minimum_fee": "250"}
    await ok(await c.office.post(f"/v1/practices/{ids['practice_id']}/fee-agreements", json=terms))
    await ok(await c.office.post("/v1/invoice-runs"))  # or the month-end loop (every second here) issued them

    async def issued() -> list[dict[str, Any]] | None:
        found = await ok(await c.office.get("/v1/invoices", params={"practice_id": ids["practice_id"]}))
        return list(found["items"]) or None

    invoices = await until(issued, "invoices", 30)
    era = {"payer_id": "SIMMCR", "npi": "1245319599", "tax_id": "123456789", "transaction": "remittance"}
    enrolled = await ok(
        await c.office.put(f"/v1/practices/{ids['practice_id']}/enrollments", json=era | {"status": "submitted"})
    )
    task = {"title": "the payer's EFT form", "due_on": TODAY}
    added = await ok(await c.office.post(f"/v1/enrollments/{enrolled['id']}/tasks", json=task))
    return {"invoice_id": invoices[0]["id"], "enrollment_id": enrolled["id"], "task_id": added["id"]}


async def _postings(c: Http, claim_id: str) -> list[dict[str, Any]] | None:
    found: Any = await ok(await c.remittances.get(f"/v1/claims/{claim_id}/postings"))
    return list(found["items"]) or None


async def _case_of(c: Http, encounter_id: str) -> str | None:
    """The case of the visit before coverage. Eligibility may have told claim submission first (it checks each
    visit), which then holds the claim: the biller releases it knowing, and the payer denies it."""
    claim = (await ok(await c.claims.get("/v1/claims", params={"encounter_id": encounter_id})))["items"]
    if not claim:
        return None
    if claim[0]["status"] == "held":
        rules = [reason["rule"] for reason in claim[0]["reasons"]]
        await c.claims.post(f"/v1/claims/{claim[0]['id']}/release", json={"acknowledge": rules})
        return None
    cases = (await ok(await c.denials.get("/v1/denials", params={"limit": 200})))["items"]
    return next((case["id"] for case in cases if case["claim_id"] == claim[0]["id"]), None)
