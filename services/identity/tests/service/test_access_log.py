"""The access log: one row per event, chained per tenant, kept once, never changed; a forged or edited row breaks
the chain where it is; an auditor reads it (identity's own changes included)."""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
from claimstream_devtools.testing import Keys
from claimstream_platform.auth import Role
from claimstream_platform.contracts.access import AccessRecorded
from identity.commands import verified
from identity.handlers import on_access_recorded
from identity.repository import IdentityWork
from identity_testkit import TENANT, headers, person
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

Work = Callable[[], IdentityWork]


def recorded(tenant: UUID = TENANT, **changes: Any) -> AccessRecorded:
    values: dict[str, Any] = {
        "tenant_id": tenant,
        "access_id": uuid4(),
        "occurred_at": datetime.now(UTC),
        "service": "claim-submission",
        "actor": "person:1",
        "actor_kind": "person",
        "audit": "phi",
        "action": "GET /v1/claims/{claim_id}",
        "resource": {"claim_id": str(uuid4())},
        "status": 200,
        "client": "10.0.0.7",
    }
    return AccessRecorded(**(values | changes))


async def append(make_uow: Work, *events: AccessRecorded) -> None:
    async with make_uow() as uow:
        for event in events:
            await on_access_recorded(event, uow)
        await uow.commit()


async def execute(make_uow: Work, statement: str) -> None:
    async with make_uow() as uow:
        await uow.session.execute(text(statement))
        await uow.commit()


async def test_rows_chain_per_tenant_and_a_redelivered_event_is_kept_once(make_uow: Work) -> None:
    other = uuid4()
    first = recorded()
    await append(make_uow, first, recorded(other), recorded(), first, recorded(other))
    async with make_uow() as uow:
        found = await verified(uow)
        seqs = (await uow.session.execute(text("SELECT tenant_id, seq FROM access_log ORDER BY 1, 2"))).all()
    assert found.broken is None and found.rows == 4 and found.tenants == 2
    assert sorted(seq for tenant, seq in seqs if tenant == TENANT) == [1, 2]


async def test_update_delete_and_truncate_are_refused(make_uow: Work) -> None:
    await append(make_uow, recorded())
    for statement in ("UPDATE access_log SET status = 404", "DELETE FROM access_log", "TRUNCATE access_log"):
        with pytest.raises(DBAPIError, match="append-only"):
            await execute(make_uow, statement)


async def test_an_edited_row_breaks_the_chain_at_that_row(make_uow: Work) -> None:
    await append(make_uow, recorded(), recorded(), recorded())
    # someone with the owner's powers switches the guard off and rewrites history
    await execute(make_uow, "ALTER TABLE access_log DISABLE TRIGGER access_log_no_change")
    await execute(make_uow, "UPDATE access_log SET actor = 'someone-else' WHERE seq = 2")
    async with make_uow() as uow:
        found = await verified(uow, TENANT)
    assert found.broken is not None and found.broken.seq == 2 and "content" in found.broken.reason


async def test_a_forged_row_and_a_removed_row_break_the_chain(make_uow: Work) -> None:
    await append(make_uow, recorded(), recorded())
    await execute(
        make_uow,
        "INSERT INTO access_log (tenant_id, seq, access_id, occurred_at, service, actor, actor_kind, audit, action,"
        " resource, status, previous_hash, hash) SELECT tenant_id, 3, gen_random_uuid(), now(), service, actor,"
        " actor_kind, audit, action, resource, status, hash, repeat('a', 64) FROM access_log WHERE seq = 2",
    )
    async with make_uow() as uow:
        forged = await verified(uow)
    assert forged.broken is not None and forged.broken.seq == 3
    await execute(make_uow, "ALTER TABLE access_log DISABLE TRIGGER access_log_no_change")
    await execute(make_uow, "DELETE FROM access_log WHERE seq IN (1, 3)")
    async with make_uow() as uow:
        removed = await verified(uow)
    assert removed.broken is not None and removed.broken.seq == 2 and "missing" in removed.broken.reason


async def test_an_auditor_reads_the_tenants_rows_with_identitys_own_changes(
    client: httpx.AsyncClient, keys: Keys, make_uow: Work
) -> None:
    await person(client, keys, "rue@example.org")
    async with make_uow() as uow:
        payloads = (await uow.session.execute(text("SELECT payload FROM outbox ORDER BY seq"))).scalars().all()
    await append(make_uow, *(AccessRecorded.model_validate_json(p) for p in payloads), recorded(uuid4()))
    auditor = headers(keys.issuer.issue(tenant_id=TENANT, roles=[Role.AUDITOR]))
    page = (await client.get("/v1/audit", headers=auditor)).json()
    actions = [(row["action"], row["status"]) for row in page["items"]]
    assert actions == [("POST /v1/users", 201), ("POST /v1/invitations/accept", 200), ("POST /v1/sign-in", 200)]
    first = await client.get("/v1/audit", headers=auditor, params={"limit": 1, "action": "POST /v1/sign-in"})
    assert [row["seq"] for row in first.json()["items"]] == [3] and first.json()["next_cursor"] is None
    admin_rows = await client.get("/v1/audit", headers=auditor, params={"actor": f"admin:{TENANT}"})
    assert [row["action"] for row in admin_rows.json()["items"]] == ["POST /v1/users"]
