"""`python -m identity issue-integration`, run as an operator runs it: the command line's tokens are identity's and
recorded as the administrator's are (the integration is listed, the token revoked like any other), never minted
aside where nobody could withdraw them."""

import asyncio
import os
import subprocess
import sys
from uuid import UUID

import httpx
from claimstream_devtools.testing import Keys, StackUnderTest, service_settings
from claimstream_platform import tenants
from claimstream_platform.auth import Kind, Principal, TokenVerifier
from claimstream_platform.engines import create_engine
from identity.service import SERVICE
from identity_testkit import admin, headers, refused_by


async def a_tenant(stack: StackUnderTest, name: str) -> UUID:
    engine = create_engine(stack.database_url, schema=tenants.SCHEMA, connections=2)
    try:
        return await tenants.create_tenant(engine, name)
    finally:
        await engine.dispose()


def identitys_env(stack: StackUnderTest, schema: str, keys: Keys) -> dict[str, str]:
    """Identity's own settings (its app role, its signing key), as its processes are given them."""
    signing = keys.public_key_file.parent / "signing.pem"
    settings = service_settings(SERVICE, stack, schema, keys.public_key_file, identity_signing_key_file=signing)
    return {
        **os.environ,
        "SERVICE_NAME": settings.service_name,
        "DATABASE_URL": settings.database_url.get_secret_value(),
        "DATABASE_SCHEMA": schema,
        "KAFKA_BOOTSTRAP_SERVERS": stack.bootstrap_servers,
        "AUTH_PUBLIC_KEY_FILE": str(keys.public_key_file),
        "IDENTITY_SIGNING_KEY_FILE": str(signing),
    }


async def identity(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "identity", *args]
    return await asyncio.to_thread(subprocess.run, command, env=env, capture_output=True, text=True, timeout=60)


async def test_a_token_issued_on_the_command_line_is_listed_and_refused_once_revoked(
    client: httpx.AsyncClient, other: httpx.AsyncClient, stack: StackUnderTest, schema: str, keys: Keys
) -> None:
    tenant = await a_tenant(stack, f"Command line {schema}")
    env = identitys_env(stack, schema, keys)
    feed = ("issue-integration", "--tenant", str(tenant), "--name", "EHR feed", "--role", "ehr-integration")
    first, second = await identity(env, *feed), await identity(env, *feed, "--days", "7")
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    token, kept = first.stdout.strip(), second.stdout.strip()
    principal = TokenVerifier.from_file(keys.public_key_file).verify(token)
    assert isinstance(principal, Principal) and principal.tenant_id == tenant and principal.kind is Kind.INTEGRATION
    assert principal.roles == {"ehr-integration"}

    listed = (await client.get("/v1/users", headers=admin(keys, tenant))).json()["items"]
    assert [(u["kind"], u["name"], u["subject"]) for u in listed] == [("integration", "EHR feed", principal.subject)]
    integration = listed[0]["id"]
    revoke = f"/v1/integrations/{integration}/tokens/{principal.token_id}/revoke"
    assert (await client.post(revoke, headers=admin(keys, tenant))).status_code == 204
    assert await refused_by(other, token) == 401
    assert (await other.get("/v1/whoami", headers=headers(kept))).status_code == 200  # only that one token


async def test_the_command_refuses_an_unknown_tenant_and_other_roles_for_an_existing_integration(
    stack: StackUnderTest, schema: str, keys: Keys
) -> None:
    tenant = await a_tenant(stack, f"Refusals {schema}")
    env = identitys_env(stack, schema, keys)
    unknown = await identity(env, "issue-integration", "--tenant", str(UUID(int=7)), "--name", "x", "--role", "biller")
    assert unknown.returncode == 1 and unknown.stdout == "" and "no tenant" in unknown.stderr
    base = ("issue-integration", "--tenant", str(tenant), "--name", "Biller script")
    assert (await identity(env, *base, "--role", "biller")).returncode == 0
    wider = await identity(env, *base, "--role", "biller", "--role", "tenant-admin")
    assert wider.returncode == 1 and wider.stdout == "" and "other roles" in wider.stderr
    too_long = await identity(env, *base, "--role", "biller", "--days", "91")
    assert too_long.returncode == 1 and too_long.stdout == "" and "at most 90 days" in too_long.stderr
