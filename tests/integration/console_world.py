"""The console's tests' world, built by the real flow over HTTP: a tenant with two practices (P1 and P2) billing
Medicare, a patient of each enrolled, two P1 visits of two patients before their coverage began (CO-26: cases for
a person, their deadlines apart; or a claim held first, when eligibility's answer to the visit's own check comes
before the claim leaves), a P2 claim, and the tenant's people, each invited by the administrator and accepting with
a password as anyone does: a biller of P1 only, a front desk person, an owner (read-only); and an installation
operator, from identity's own command."""

import asyncio
import secrets
import subprocess
import sys
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

import httpx
from claimstream_devtools.running_services import Services
from claimstream_devtools.testing import Keys
from claimstream_platform.dates import business_date
from test_encounter_to_claim import _enroll, _practice_billing, _telehealth_visit, ok


@dataclass(frozen=True)
class Person:
    email: str
    password: str
    operator: bool = False


@dataclass(frozen=True)
class ConsoleWorld:
    tenant: UUID
    p1: str
    p2: str
    p2_encounter: str
    uncovered_encounters: list[str]  # P1's visits before coverage: each a CO-26 case
    member: str  # P1's patient's Medicare member id (covered now)
    people: dict[str, Person]  # biller (P1 only), desk, owner, admin, operator
    names: dict[str, tuple[str, str]]  # the P1 patients of the visits before coverage: id at the practice -> name


async def build(services: Services, keys: Keys) -> ConsoleWorld:
    tenant = uuid4()
    headers = {"Authorization": f"Bearer {keys.issuer.issue(tenant_id=tenant)}"}
    async with (
        httpx.AsyncClient(base_url=services.charge_capture, headers=headers, timeout=10) as capture,
        httpx.AsyncClient(base_url=services.simulator, headers=services.clearinghouse_auth, timeout=10) as payers,
    ):
        p1, p2 = await _practice_billing(capture, "SIMMCR"), await _practice_billing(capture, "SIMMCR", "1234567893")
        member = await _enroll(payers, "SIMMCR", "Rosa", "Calder")
        # Two patients whose coverage starts today, a visit each before it (each visit's eligibility check may hold
        # its own claim: the biller's test releases it from the held claims' page).
        names = [("Mara", "Quell"), ("Nils", "Varga")]
        late = [await _enrolled_from_today(payers, first, last) for first, last in names]
        other = await _enroll(payers, "SIMMCR", "Theo", "Marsh")
        visits = [_visit(p1, late[0], 3, ("Mara", "Quell")), _visit(p1, late[1], 9, ("Nils", "Varga"))]
        visits.append(_visit(p2, other, 4, ("Theo", "Marsh")))
        posted = [await ok(await capture.post("/v1/encounters", json=visit)) for visit in visits]
    people = await _people(services, keys, tenant, p1)
    ids = [encounter["id"] for encounter in posted]
    patients = {_patient_ref(member): name for member, name in zip(late, names, strict=True)}
    return ConsoleWorld(tenant, p1, p2, ids[2], ids[:2], member, people, patients)


def _visit(practice: str, member: str, days_ago: int, name: tuple[str, str]) -> dict[str, Any]:
    body = _telehealth_visit(practice, "SIMMCR", member, [], name, 55)
    body["external_id"] = f"visit-{member}-{days_ago}"
    body["patient"]["external_id"] = _patient_ref(member)
    body["service_date"] = str(business_date() - timedelta(days=days_ago))
    return body


def _patient_ref(member: str) -> str:
    return f"pt-{member.lower()}"


async def _enrolled_from_today(payers: httpx.AsyncClient, first: str, last: str) -> str:
    """A member whose coverage starts today: a visit of days ago was before it (the payer denies it, CO-26)."""
    member = f"L{uuid4().hex[:10].upper()}"
    roster = {"member_id": member, "first_name": first, "last_name": last, "birth_date": "1969-05-05"}
    await ok(await payers.post("/v1/payers/SIMMCR/members", json=roster | {"coverage_start": str(business_date())}))
    return member


async def _people(services: Services, keys: Keys, tenant: UUID, p1: str) -> dict[str, Person]:
    admin = {"Authorization": f"Bearer {keys.issuer.issue(tenant_id=tenant, roles=['tenant-admin'])}"}
    wanted = {
        "biller": {"roles": ["biller"], "practice_ids": [p1]},
        "desk": {"roles": ["front-desk"]},
        "owner": {"roles": ["read-only"]},
        "admin": {"roles": ["tenant-admin"]},
    }
    people = {}
    async with httpx.AsyncClient(base_url=services.identity, timeout=30) as identity:
        for name, access in wanted.items():
            email = f"{name}-{tenant.hex[:8]}@console.example"
            invited = await ok(
                await identity.post("/v1/users", json=access | {"email": email, "name": name}, headers=admin)
            )
            people[name] = await _accepted(identity, email, invited["invitation_code"])
        code = await asyncio.to_thread(_operator_invitation, services, f"ops-{tenant.hex[:8]}@console.example")
        operator = await _accepted(identity, f"ops-{tenant.hex[:8]}@console.example", code)
    people["operator"] = Person(operator.email, operator.password, operator=True)
    return people


async def _accepted(identity: httpx.AsyncClient, email: str, code: str) -> Person:
    password = secrets.token_urlsafe(15)
    await ok(await identity.post("/v1/invitations/accept", json={"code": code, "password": password}))
    return Person(email, password)


def _operator_invitation(services: Services, email: str) -> str:
    command = [sys.executable, "-m", "identity", "create-operator", "--email", email, "--name", "Console test operator"]
    made = subprocess.run(command, env=services.identity_env, capture_output=True, text=True, check=True, timeout=60)
    return next(line.split()[-1] for line in made.stdout.splitlines() if line.startswith("invitation"))
