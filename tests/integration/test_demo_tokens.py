"""Black box: `make run`'s demo tokens (`.data/run/demo-*-token`) are issued by the identity service, as the demo
tenant's integrations: its admin lists them, revokes one, and every service refuses that token from then on."""

import asyncio
import time
from pathlib import Path
from uuid import UUID, uuid4

import httpx
import jwt
from claimstream_devtools.devstack.run import demo_tokens
from claimstream_devtools.running_services import Services
from claimstream_devtools.testing import StackUnderTest
from claimstream_platform import tenants
from claimstream_platform.auth import Role
from claimstream_platform.engines import create_engine


async def demo_tenant(stack: StackUnderTest, name: str) -> UUID:
    engine = create_engine(stack.database_url, schema=tenants.SCHEMA, connections=2)
    try:
        return await tenants.create_tenant(engine, name)
    finally:
        await engine.dispose()


def bearer(file: Path) -> dict[str, str]:
    return {"Authorization": f"Bearer {file.read_text().strip()}"}


async def refused(capture: httpx.AsyncClient, auth: dict[str, str], within: float = 10.0) -> int:
    """Charge capture's answer once it stops accepting the token (its list refreshes about every second)."""
    deadline = time.monotonic() + within
    while True:
        status = (await capture.get("/v1/practices", headers=auth)).status_code
        if status != 200 or time.monotonic() > deadline:
            return status
        await asyncio.sleep(0.1)


async def test_the_demos_tokens_are_identitys_integrations_and_a_revoked_one_is_refused(
    services: Services, stack: StackUnderTest, tmp_path: Path
) -> None:
    tenant = await demo_tenant(stack, f"Demo {uuid4()}")
    for start in ("first", "later"):
        (tmp_path / start).mkdir()
    first = await asyncio.to_thread(demo_tokens, services.identity_env, tenant, tmp_path / "first")
    assert set(first) == {Role.TENANT_ADMIN, Role.BILLER, Role.EHR_INTEGRATION}
    assert all(file.stat().st_mode & 0o777 == 0o600 for file in first.values())
    later = await asyncio.to_thread(demo_tokens, services.identity_env, tenant, tmp_path / "later")  # a restart

    admin = bearer(first[Role.TENANT_ADMIN])
    async with (
        httpx.AsyncClient(base_url=services.identity, headers=admin, timeout=10) as identity,
        httpx.AsyncClient(base_url=services.charge_capture, timeout=10) as capture,
    ):
        listed = (await identity.get("/v1/users")).json()["items"]
        assert sorted((u["kind"], u["name"], u["roles"][0]) for u in listed) == [
            ("integration", "Demo EHR", "ehr-integration"),
            ("integration", "Demo admin", "tenant-admin"),
            ("integration", "Demo biller", "biller"),
        ]  # the same three after the restart: new tokens, no new accounts
        biller = next(u["id"] for u in listed if u["name"] == "Demo biller")
        assert (await capture.get("/v1/practices", headers=bearer(first[Role.BILLER]))).status_code == 200

        jti = jwt_id(first[Role.BILLER])
        revoked = await identity.post(f"/v1/integrations/{biller}/tokens/{jti}/revoke")
        assert revoked.status_code == 204, revoked.text
        assert await refused(capture, bearer(first[Role.BILLER])) == 401
        assert (await capture.get("/v1/practices", headers=bearer(later[Role.BILLER]))).status_code == 200


def jwt_id(file: Path) -> str:
    """The token's id, which its holder can read (the payload is not secret; the signature is what counts)."""
    jti: str = jwt.decode(file.read_text().strip(), options={"verify_signature": False})["jti"]
    return jti
