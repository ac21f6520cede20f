"""Identity's test helpers: another service's route (any tenant role), people invited and signed in through the API,
a wait for the other service to see a revocation (it refreshes its list before a request), and the access log's
key ring."""

import asyncio
import time
from typing import Any
from uuid import UUID

import httpx
from claimstream_devtools.testing import Keys
from claimstream_platform.access import allow
from claimstream_platform.auth import Role
from claimstream_platform.web import CurrentCaller
from fastapi import APIRouter
from identity.audit_keys import AuditRing, new_key_line

AUDIT_RING = AuditRing.parse(new_key_line())  # the access log's key in these tests (`audit_key_file`, conftest.py)
TENANT = UUID("00000000-0000-0000-0000-0000000d0001")
OTHER_TENANT = UUID("00000000-0000-0000-0000-0000000d0002")
OUR_PRACTICE = UUID("00000000-0000-0000-0000-0000000d0101")  # TENANT's, in the platform's registry (conftest)
OTHERS_PRACTICE = UUID("00000000-0000-0000-0000-0000000d0102")  # OTHER_TENANT's
PASSWORD = "correct horse battery staple"

other_router = APIRouter()


@other_router.get("/v1/whoami", openapi_extra=allow(*Role))
async def whoami(caller: CurrentCaller) -> dict[str, str]:
    return {"subject": caller.subject}


def headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def admin(keys: Keys, tenant: UUID = TENANT) -> dict[str, str]:
    return headers(keys.issuer.issue(tenant_id=tenant, roles=[Role.TENANT_ADMIN], subject=f"admin:{tenant}"))


async def invite(
    client: httpx.AsyncClient, keys: Keys, email: str, roles: list[str], tenant: UUID = TENANT
) -> dict[str, Any]:
    body = {"email": email, "name": "Dana Example", "roles": roles}
    answer = await client.post("/v1/users", json=body, headers=admin(keys, tenant))
    assert answer.status_code == 201, answer.text
    invited: dict[str, Any] = answer.json()
    return invited


async def person(
    client: httpx.AsyncClient, keys: Keys, email: str, roles: list[str] | None = None, tenant: UUID = TENANT
) -> tuple[str, str]:
    """A person invited, their invitation accepted and signed in: (their user id, their token)."""
    invited = await invite(client, keys, email, roles or [Role.BILLER], tenant)
    accepted = await client.post(
        "/v1/invitations/accept", json={"code": invited["invitation_code"], "password": PASSWORD}
    )
    assert accepted.status_code == 200, accepted.text
    return invited["user"]["id"], await sign_in(client, email)


async def sign_in(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> str:
    answer = await client.post("/v1/sign-in", json={"email": email, "password": password})
    assert answer.status_code == 200, answer.text
    token: str = answer.json()["access_token"]
    return token


async def refused_by(other: httpx.AsyncClient, token: str, within: float = 3.0) -> int:
    """The other service's answer once it stops accepting `token` (or its answer after `within` seconds)."""
    deadline = time.monotonic() + within
    while True:
        status = (await other.get("/v1/whoami", headers=headers(token))).status_code
        if status != 200 or time.monotonic() > deadline:
            return status
        await asyncio.sleep(0.05)
