"""Black box, the access log (issue 26, item 5): a PHI read through a service lands in identity's log under its
tenant, with the query's ids and the caller's address; its tenant's auditor reads it and nothing of anyone else's;
an installation operator's read lands in the installation's own chain; `python -m identity verify-audit` finds the
tenant's chain intact.

The session's audit key is new at each session, like its signing key, while an external database keeps its rows:
the whole log would hold rows chained with earlier sessions' keys, so the command verifies this test's tenant."""

import asyncio
import os
import subprocess
import sys
import time
from typing import Any
from uuid import uuid4

import httpx
from claimstream_devtools.running_services import Services, audit_key_file
from claimstream_devtools.testing import Keys, StackUnderTest
from claimstream_platform.auth import Role
from claimstream_platform.contracts.access import INSTALLATION
from claimstream_platform.engines import create_engine
from sqlalchemy import text

WAIT = 60.0  # seconds for a record to go through the outbox, Kafka and identity's consumer


async def rows_of(services: Services, auditor: dict[str, str], actor: str) -> list[dict[str, Any]]:
    """The tenant's rows by `actor` once there are some (or none after WAIT seconds)."""
    deadline = time.monotonic() + WAIT
    async with httpx.AsyncClient(base_url=services.identity, headers=auditor, timeout=10) as identity:
        while True:
            page = (await identity.get("/v1/audit", params={"actor": actor})).json()
            if page["items"] or time.monotonic() > deadline:
                return list(page["items"])
            await asyncio.sleep(0.2)


async def installation_rows(stack: StackUnderTest, actor: str) -> int:
    engine = create_engine(stack.database_url, schema="identity", connections=2)
    deadline = time.monotonic() + WAIT
    try:
        while True:
            async with engine.connect() as connection:
                found = await connection.scalar(
                    text("SELECT count(*) FROM access_log WHERE tenant_id = :installation AND actor = :actor"),
                    {"installation": INSTALLATION, "actor": actor},
                )
            if found or time.monotonic() > deadline:
                return int(found or 0)
            await asyncio.sleep(0.2)
    finally:
        await engine.dispose()


def verify_audit(stack: StackUnderTest, keys: Keys, *options: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "SERVICE_NAME": "identity",
        "DATABASE_URL": stack.database_url,
        "DATABASE_SCHEMA": "identity",
        "KAFKA_BOOTSTRAP_SERVERS": stack.bootstrap_servers,
        "AUTH_PUBLIC_KEY_FILE": str(keys.public_key_file),
        "IDENTITY_SIGNING_KEY_FILE": str(keys.public_key_file.parent / "signing.pem"),
        "IDENTITY_AUDIT_KEY_FILE": str(audit_key_file(keys)),
    }
    command = [sys.executable, "-m", "identity", "verify-audit", *options]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=False)


async def test_a_read_is_in_its_tenants_chain_and_an_operators_in_the_installations(
    services: Services, keys: Keys, stack: StackUnderTest
) -> None:
    tenant, practice, subject = uuid4(), uuid4(), f"person:{uuid4()}"
    reader = {"Authorization": f"Bearer {keys.issuer.issue(tenant_id=tenant, subject=subject, roles=[Role.BILLER])}"}
    operator_subject = f"operator:{uuid4()}"
    operator = {"Authorization": f"Bearer {keys.issuer.issue_operator(subject=operator_subject)}"}
    async with httpx.AsyncClient(timeout=10) as http:
        read = await http.get(f"{services.charge_capture}/v1/encounters?practice_id={practice}", headers=reader)
        assert read.status_code == 200, read.text
        looked = await http.get(f"{services.claim_submission}/v1/inbound", headers=operator)
        assert looked.status_code == 200, looked.text

    auditor = {"Authorization": f"Bearer {keys.issuer.issue(tenant_id=tenant, roles=[Role.AUDITOR])}"}
    [row] = await rows_of(services, auditor, subject)
    assert (row["service"], row["action"], row["audit"]) == ("charge-capture", "GET /v1/encounters", "phi")
    assert row["resource"] == {"practice_id": str(practice)} and row["client"] == "127.0.0.1"
    assert await installation_rows(stack, operator_subject) == 1
    async with httpx.AsyncClient(base_url=services.identity, headers=auditor, timeout=10) as identity:
        page = (await identity.get("/v1/audit", params={"actor": operator_subject})).json()
    assert page["items"] == []  # the installation's chain is in no tenant's page

    verified = await asyncio.to_thread(verify_audit, stack, keys, "--tenant", str(tenant))
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "access log intact: 1 rows in 1 chains" in verified.stdout
