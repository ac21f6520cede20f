"""Black box, psychological testing: prior authorization asks the simulated Medicaid plan over X12 (a 278), which
pends the first request and decides when asked again; the testing visit's claim goes out with the number
(REF*G1) without anyone typing it, and its units are burned down; the events reach Kafka with no PHI. Asked each
code its own units, the plan decides each service on its own, and a visit over what one was approved for is
recorded and announced. Therapy past the plan's 30 visits a year: the authorization is asked for as the visits
approach the count, and the 31st visit's claim goes out with its number and is paid."""

import asyncio
import json
import time
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any
from uuid import uuid4

import httpx
from claimstream_devtools.running_services import Clients, Services, clients
from claimstream_devtools.testing import Keys, StackUnderTest
from claimstream_platform.contracts.prior_authorization import TOPIC, AuthorizationApproved, AuthorizationExceeded
from claimstream_platform.dates import business_date
from kafka_reader import records_about
from test_eligibility_flow import _caught_up
from test_encounter_to_claim import ADDRESS, _enroll, _practice_billing, _settled_claim, ok
from test_remittance_flow import postings_of

PSYCHOLOGIST = {
    "npi": "1316951239",
    "first_name": "Rosa",
    "last_name": "Ibáñez",
    "credential": "PhD",
    "taxonomy": "103TC0700X",
}
# the plan wants no credential modifier from a physician (its social workers bill with HO, its psychologists HP)
PSYCHIATRIST = {
    "npi": "1234567893",
    "first_name": "Omar",
    "last_name": "Haddad",
    "credential": "MD",
    "taxonomy": "2084P0800X",
}
TESTING_FEES = [
    {"code": code, "amount": amount}
    for code, amount in (("96130", "150.00"), ("96131", "120.00"), ("96136", "60.00"), ("96137", "55.00"))
]


async def test_testing_is_authorized_by_278_and_its_claim_carries_the_number(
    services: Services, stack: StackUnderTest, keys: Keys
) -> None:
    served = business_date() - timedelta(days=3)
    async with clients(services, keys, uuid4()) as c:
        practice_id = await _practice_billing(c.capture, "SIMMCD")
        await ok(await c.capture.post(f"/v1/practices/{practice_id}/providers", json=PSYCHOLOGIST))
        await ok(
            await c.capture.put(
                f"/v1/practices/{practice_id}/fee-schedules/SIMMCD",
                json={"effective_from": "2025-01-01", "entries": TESTING_FEES},
            )
        )
        member_id = await _enroll(c.simulator, "SIMMCD", "Ana", "Díaz")
        asked = await ok(
            await c.authorizations.post("/v1/authorizations", json=request(practice_id, member_id, served))
        )
        assert (asked["status"], asked["reason"]) == ("pended", "0U")  # the plan wants a second look
        decided = await _decided(c.authorizations, asked["id"])
        assert (decided["status"], decided["approved"]) == ("approved", 8) and decided["authorization_number"]
        number = decided["authorization_number"]
        await _caught_up(c.projection, "claim-submission", TOPIC)  # claim submission knows the authorization
        encounter = await ok(await c.capture.post("/v1/encounters", json=visit(practice_id, member_id, served)))
        claim, x12 = await _settled_claim(c.claims, encounter["id"])
        assert claim.get("status") == "accepted", claim
        assert f"REF*G1*{number}~" in x12
        used = await _used(c.authorizations, asked["id"])
    assert used["used"] == 4 and [u["encounter_id"] for u in used["uses"]] == [encounter["id"]]  # 96130-96137, 1 each
    (record,) = await records_about(stack.bootstrap_servers, TOPIC, asked["id"], AuthorizationApproved.event_type)
    assert json.loads(record.value)["authorization_number"] == number
    assert member_id not in record.value.decode() and "Díaz" not in record.value.decode()


def request(practice_id: str, member_id: str, served: date) -> dict[str, Any]:
    return {
        "practice_id": practice_id,
        "codes": ["96130", "96131", "96136", "96137"],
        "quantity": 8,
        "unit": "units",
        "start": str(served - timedelta(days=1)),
        "end": str(served + timedelta(days=89)),
        "diagnoses": ["F90.0"],
        "patient": {"external_id": "p-9", "first_name": "Ana", "last_name": "Díaz", "birth_date": "1969-05-05"},
        "coverage": {"payer_id": "SIMMCD", "member_id": member_id},
        "provider": {"npi": PSYCHOLOGIST["npi"], "name": "Bayview Therapy"},
    }


def visit(practice_id: str, member_id: str, served: date) -> dict[str, Any]:
    return {
        "practice_id": practice_id,
        "external_id": "testing-1",
        "service_date": str(served),
        "rendering_provider_npi": PSYCHOLOGIST["npi"],
        "patient": {
            "external_id": "p-9",
            "first_name": "Ana",
            "last_name": "Díaz",
            "birth_date": "1969-05-05",
            "sex": "F",
            "address": ADDRESS,
        },
        "coverage": {"payer_id": "SIMMCD", "member_id": member_id, "relationship": "self"},
        "diagnoses": ["F90.0"],
        "place_of_service": "11",
        "service": {"kind": "psychological_testing", "evaluation_minutes": 120, "administration_minutes": 60},
    }


async def _decided(client: httpx.AsyncClient, authorization_id: str, timeout: float = 30) -> dict[str, Any]:
    """The authorization once the worker's follow-up has a decision (bounded wait)."""
    deadline = time.monotonic() + timeout
    while True:
        found = await ok(await client.get(f"/v1/authorizations/{authorization_id}"))
        if found["status"] != "pended" or time.monotonic() > deadline:
            return found
        await asyncio.sleep(0.5)


async def _used(client: httpx.AsyncClient, authorization_id: str, timeout: float = 30) -> dict[str, Any]:
    """The authorization once a charge has used it (bounded wait)."""
    deadline = time.monotonic() + timeout
    while True:
        found = await ok(await client.get(f"/v1/authorizations/{authorization_id}"))
        if found["used"] or time.monotonic() > deadline:
            return found
        await asyncio.sleep(0.5)


async def test_each_testing_code_is_decided_on_its_own_and_a_visit_over_its_units_is_announced(
    services: Services, stack: StackUnderTest, keys: Keys
) -> None:
    """96130 asked for 1 unit, 96131 for 12 (the plan grants 10), 96132 (the plan does not pay it): three services,
    three decisions (HSD*FL). Two testing visits use 96130 twice: the second goes over, and it is said."""
    served = business_date() - timedelta(days=3)
    async with clients(services, keys, uuid4()) as c:
        practice_id, member_id = await _testing_practice_and_member(c)
        each = {k: v for k, v in request(practice_id, member_id, served).items() if k not in ("codes", "quantity")}
        each["services"] = [
            {"code": "96130", "quantity": 1},
            {"code": "96131", "quantity": 12},
            {"code": "96132", "quantity": 1},
        ]
        asked = await ok(await c.authorizations.post("/v1/authorizations", json=each))
        decided = await _decided(c.authorizations, asked["id"])
        assert [(x["codes"], x["status"], x["action"], x["approved"]) for x in decided["lines"]] == [
            (["96130"], "approved", "A1", 1),
            (["96131"], "approved", "A2", 10),
            (["96132"], "denied", "A3", 0),
        ]
        assert (decided["status"], decided["approved"], decided["partial"]) == ("approved", 11, True)
        await _testing_visits(c, practice_id, member_id, served, days=2)
        over = await _until(c.authorizations, asked["id"], lambda found: found["over"] > 0)
    assert (over["over"], over["exceeded"], over["lines"][0]["over"]) == (1, True, 1)
    (approval,) = await records_about(stack.bootstrap_servers, TOPIC, asked["id"], AuthorizationApproved.event_type)
    assert json.loads(approval.value)["codes"] == ["96130", "96131"]  # not the refused 96132
    (exceeded,) = await records_about(stack.bootstrap_servers, TOPIC, asked["id"], AuthorizationExceeded.event_type)
    assert {k: json.loads(exceeded.value)[k] for k in ("codes", "over", "unit")} == {
        "codes": ["96130"],
        "over": 1,
        "unit": "units",
    }


async def _testing_practice_and_member(c: Clients) -> tuple[str, str]:
    """A practice billing the Medicaid plan, with a psychologist and testing fees, and a member of the plan."""
    practice_id = await _practice_billing(c.capture, "SIMMCD")
    await ok(await c.capture.post(f"/v1/practices/{practice_id}/providers", json=PSYCHOLOGIST))
    fees = {"effective_from": "2025-01-01", "entries": TESTING_FEES}
    await ok(await c.capture.put(f"/v1/practices/{practice_id}/fee-schedules/SIMMCD", json=fees))
    return practice_id, await _enroll(c.simulator, "SIMMCD", "Eva", "Ruiz")


async def _testing_visits(c: Clients, practice_id: str, member_id: str, served: date, *, days: int) -> None:
    """A testing visit (96130) a day, from `served`."""
    for n in range(days):
        body = {**visit(practice_id, member_id, served + timedelta(days=n)), "external_id": f"testing-over-{n + 1}"}
        await ok(await c.capture.post("/v1/encounters", json=body))


async def _until(
    client: httpx.AsyncClient, authorization_id: str, done: Callable[[dict[str, Any]], bool], timeout: float = 30
) -> dict[str, Any]:
    """The authorization once `done` says so, or as it is when the bounded wait is over."""
    deadline = time.monotonic() + timeout
    while True:
        found = await ok(await client.get(f"/v1/authorizations/{authorization_id}"))
        if done(found) or time.monotonic() > deadline:
            return dict(found)
        await asyncio.sleep(0.5)


async def test_the_visit_past_the_years_count_goes_with_the_authorization_asked_ahead(
    services: Services, keys: Keys
) -> None:
    tenant, days = uuid4(), one_years_days(31)
    headers = {"Authorization": f"Bearer {keys.issuer.issue(tenant_id=tenant)}"}
    async with clients(services, keys, tenant) as c:
        practice_id = await _practice_billing(c.capture, "SIMMCD")
        await ok(await c.capture.post(f"/v1/practices/{practice_id}/providers", json=PSYCHIATRIST))
        member_id = await _enroll(c.simulator, "SIMMCD", "Lía", "Ortiz")
        for n, day in enumerate(days[:30]):  # the 27th asks for an authorization; the plan pends, then decides
            await ok(await c.capture.post("/v1/encounters", json=therapy(practice_id, member_id, day, n)))
        approved = await _approved(c.authorizations, practice_id)
        # asked at the visit that was the 27th of the year when it was counted (visits may be counted out of order)
        assert (approved["requested"], approved["unit"]) == (10, "visits") and approved["start"] in map(
            str, days[26:30]
        )
        await _caught_up(c.projection, "claim-submission", TOPIC)  # claim submission knows the authorization
        last = await ok(await c.capture.post("/v1/encounters", json=therapy(practice_id, member_id, days[30], 30)))
        claim, x12 = await _settled_claim(c.claims, last["id"])
        assert claim.get("status") == "accepted", claim
        assert f"REF*G1*{approved['authorization_number']}~" in x12
        (posting,) = await postings_of(services, headers, claim["id"])
    assert posting["outcome"] == "paid", posting  # the plan pays the visit past its count with the number


def one_years_days(count: int) -> list[date]:
    """`count` consecutive past days in one calendar year, within the plan's filing window."""
    first = business_date() - timedelta(days=count + 14)
    if (first + timedelta(days=count)).year != first.year:  # early in a year: the end of the last one
        first = date(first.year, 12, 30) - timedelta(days=count)
    return [first + timedelta(days=n) for n in range(count)]


def therapy(practice_id: str, member_id: str, day: date, n: int) -> dict[str, Any]:
    return {
        "practice_id": practice_id,
        "external_id": f"therapy-{n}",
        "service_date": str(day),
        "rendering_provider_npi": PSYCHIATRIST["npi"],
        "patient": {
            "external_id": "p-31",
            "first_name": "Lía",
            "last_name": "Ortiz",
            "birth_date": "1969-05-05",
            "sex": "F",
            "address": ADDRESS,
        },
        "coverage": {"payer_id": "SIMMCD", "member_id": member_id, "relationship": "self"},
        "diagnoses": ["F33.1"],
        "place_of_service": "11",
        "service": {"kind": "psychotherapy", "minutes": 45},
    }


async def _approved(client: httpx.AsyncClient, practice_id: str, timeout: float = 120) -> dict[str, Any]:
    """The practice's approved authorization, once there is one (bounded wait: thirty visits counted, the request
    pended and decided, once took over 60 s on a machine loaded past the suite's own two workers)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        page = await ok(
            await client.get("/v1/authorizations", params={"practice_id": practice_id, "status": "approved"})
        )
        if page["items"]:
            (found,) = page["items"]
            return dict(found)
        await asyncio.sleep(0.5)
    raise AssertionError("no authorization was approved")
