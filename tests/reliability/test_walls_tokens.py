"""Scenario 20 of docs/reliability.md's catalogue, on the running services: a token that is expired, meant for
another API, unsigned, signed the wrong way, without its tenant, or revoked is refused (401) on a write and a read,
and leaves nothing behind: no row, no budget spent, no access record."""

import time
from uuid import UUID, uuid4

import httpx
from claimstream_devtools.running_services import Services
from claimstream_devtools.testing import Keys, StackUnderTest
from claimstream_platform.auth import key_id
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from oracle import Workload
from walls_guard import bearer, claims, hmac_with_public_key, installation, signed, unsigned, until


def _forgeries(keys: Keys, tenant: UUID, subject: str) -> dict[str, str]:
    """Tokens for `subject` of `tenant` that a service must refuse, by what is wrong with each."""
    key, elsewhere = keys.issuer.private_key, Ed25519PrivateKey.generate()
    now, ours = int(time.time()), key_id(key.public_key())
    return {
        "expired": signed(key, claims(tenant, subject, iat=now - 7200, nbf=now - 7200, exp=now - 3600)),
        "another audience": signed(key, claims(tenant, subject, aud="claimstream-elsewhere")),
        "another issuer": signed(key, claims(tenant, subject, iss="someone-else")),
        "alg none": unsigned(claims(tenant, subject), ours),
        "HS256 keyed with the public key": hmac_with_public_key(keys, claims(tenant, subject)),
        "no tenant": signed(key, claims(tenant, subject, tid=None)),
        "another installation's key": signed(elsewhere, claims(tenant, subject)),
        "our key's id, another key": signed(elsewhere, claims(tenant, subject), kid=ours),
    }


async def _revoked(services: Services, keys: Keys, tenant: UUID) -> str:
    """An EHR integration's token as identity mints it for the tenant's admin, used, then revoked by the admin: once
    charge capture refuses it (within about a second)."""
    reader = httpx.AsyncClient(base_url=services.charge_capture, timeout=30)
    async with httpx.AsyncClient(base_url=services.identity, headers=bearer(keys, tenant, "tenant-admin")) as admin:
        made = await admin.post(
            "/v1/integrations", json={"name": f"ehr {uuid4().hex[:6]}", "roles": ["ehr-integration"]}
        )
        assert made.status_code == 201, made.text
        issued = await admin.post(f"/v1/integrations/{made.json()['id']}/tokens", json={"days": 1})
        assert issued.status_code == 201, issued.text
        token, jti = issued.json()["token"], issued.json()["jti"]
        async with reader:
            listed = await reader.get("/v1/encounters", headers={"Authorization": f"Bearer {token}"})
            assert listed.status_code == 200, "identity's token works until it is revoked"
            revoked = await admin.post(f"/v1/integrations/{made.json()['id']}/tokens/{jti}/revoke")
            assert revoked.status_code == 204, revoked.text

            async def refused() -> bool:
                return (
                    await reader.get("/v1/encounters", headers={"Authorization": f"Bearer {token}"})
                ).status_code == 401

            assert await until(refused, within=10), "every service refuses a revoked token within about a second"
    return str(token)


async def test_scenario_20_broken_tokens_are_refused_and_change_nothing(
    services: Services, keys: Keys, stack: StackUnderTest, settled_run: Workload
) -> None:
    ours, subject = settled_run.tenants[0], f"integration:forged-{uuid4().hex[:8]}"
    forged = _forgeries(keys, ours, subject) | {"revoked by its admin": await _revoked(services, keys, ours)}
    body = settled_run.posted[ours][0] | {"external_id": f"forged-{uuid4().hex[:12]}"}
    answers = {}
    async with httpx.AsyncClient(base_url=services.charge_capture, timeout=30) as capture:
        for why, token in forged.items():
            auth = {"Authorization": f"Bearer {token}"}
            written = await capture.post("/v1/encounters", json=body, headers=auth)
            read = await capture.get("/v1/encounters", headers=auth)
            answers[why] = (written.status_code, read.status_code, written.json().get("type"))
    refused = (401, 401, "urn:claimstream:problem:unauthenticated")
    assert answers == dict.fromkeys(forged, refused)
    async with installation(stack.database_url) as db:
        stored = await db.fetchval(
            "SELECT count(*) FROM charge_capture.encounters WHERE external_id = $1", body["external_id"]
        )
        spent = await db.fetchval("SELECT count(*) FROM limits.windows WHERE bucket LIKE $1", f"%{subject}%")
        recorded = await db.fetchval(
            "SELECT count(*) FROM charge_capture.outbox WHERE convert_from(payload, 'UTF8') LIKE $1", f"%{subject}%"
        )
    assert (stored, spent, recorded) == (0, 0, 0), "no encounter, no budget spent, no access record"
