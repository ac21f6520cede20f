"""The access log: one row per event, chained per tenant under the audit key, kept once, never changed (the app role
may not even try); a forged or edited row breaks the chain where it is, a row forged without the key included; an
operator's request goes in the installation's own chain; an auditor reads their tenant's (identity's own changes
included) and nothing else."""

from uuid import uuid4

import httpx
import pytest
from access_log_testkit import Work, append, as_app_role, execute, recorded, verify
from claimstream_devtools.testing import Keys
from claimstream_platform.auth import Role
from claimstream_platform.contracts.access import INSTALLATION, AccessRecorded
from identity.chain import unkeyed_hash
from identity.commands import verified
from identity_testkit import AUDIT_RING, TENANT, headers, person
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError


async def test_rows_chain_per_tenant_and_a_redelivered_event_is_kept_once(make_uow: Work) -> None:
    other = uuid4()
    first = recorded()
    await append(make_uow, first, recorded(other), recorded(), first, recorded(other))
    async with make_uow() as uow:
        found = await verified(uow, AUDIT_RING)
        seqs = (await uow.session.execute(text("SELECT tenant_id, seq FROM access_log ORDER BY 1, 2"))).all()
    assert found.broken is None and found.rows == 4 and found.tenants == 2
    assert sorted(seq for tenant, seq in seqs if tenant == TENANT) == [1, 2]


async def test_a_run_goes_on_from_the_chains_last_row_and_skips_what_an_earlier_batch_logged(make_uow: Work) -> None:
    first, second = recorded(), recorded()
    await append(make_uow, first)
    await append(make_uow, first, second, recorded())  # `first` redelivered in the next batch
    async with make_uow() as uow:
        found = await verified(uow, AUDIT_RING)
        rows = (await uow.session.execute(text("SELECT access_id, seq FROM access_log ORDER BY seq"))).all()
    assert found.broken is None and found.rows == 3
    assert [(access_id, seq) for access_id, seq in rows][:2] == [(first.access_id, 1), (second.access_id, 2)]


async def test_update_delete_and_truncate_are_refused(make_uow: Work, schema: str) -> None:
    await append(make_uow, recorded())
    for statement in ("UPDATE access_log SET status = 404", "DELETE FROM access_log", "TRUNCATE access_log"):
        with pytest.raises(DBAPIError, match="append-only"):
            await execute(make_uow, statement)  # whoever connects: the trigger
        with pytest.raises(DBAPIError, match="permission denied"):
            await as_app_role(schema, statement)  # identity's own role is not even granted it


async def test_an_edited_row_breaks_the_chain_at_that_row(make_uow: Work) -> None:
    await append(make_uow, recorded(), recorded(), recorded())
    # someone with the owner's powers switches the guard off and rewrites history
    await execute(make_uow, "ALTER TABLE access_log DISABLE TRIGGER access_log_no_change")
    await execute(make_uow, "UPDATE access_log SET actor = 'someone-else' WHERE seq = 2")
    found = await verify(make_uow, TENANT)
    assert found.broken is not None and found.broken.seq == 2 and "content" in found.broken.reason


FORGE = (
    "INSERT INTO access_log (tenant_id, seq, access_id, occurred_at, service, actor, actor_kind, audit, action,"
    " resource, status, client, correlation_id, key_id, previous_hash, hash) VALUES (:tenant_id, :seq, :access_id,"
    " :occurred_at, :service, :actor, :actor_kind, :audit, :action, CAST(:resource AS JSONB), :status, :client,"
    " :correlation_id, :key_id, :previous_hash, :hash)"
)


async def test_a_row_forged_without_the_key_breaks_the_chain(make_uow: Work, schema: str) -> None:
    """Identity's own role appends a row that follows the last one, its hash computed as the chain's used to be (all
    a forger without the key can do), naming the key the other rows name: the chain breaks at that row."""
    await append(make_uow, recorded(), recorded())
    async with make_uow() as uow:
        last = (await uow.session.execute(text("SELECT * FROM access_log WHERE seq = 2"))).mappings().one()
    row = dict(last) | {"seq": 3, "access_id": uuid4(), "actor": "person:someone-else", "resource": {}}
    forged = row | {"previous_hash": last["hash"], "hash": unkeyed_hash(last["hash"], row), "resource": "{}"}
    await as_app_role(schema, FORGE, **{name: value for name, value in forged.items() if name != "recorded_at"})
    found = await verify(make_uow)
    assert found.broken is not None and (found.broken.seq, found.broken.reason) == (
        3,
        "its content does not match its hash",
    )


async def test_a_forged_row_and_a_removed_row_break_the_chain(make_uow: Work) -> None:
    await append(make_uow, recorded(), recorded())
    await execute(
        make_uow,
        "INSERT INTO access_log (tenant_id, seq, access_id, occurred_at, service, actor, actor_kind, audit, action,"
        " resource, status, key_id, previous_hash, hash) SELECT tenant_id, 3, gen_random_uuid(), now(), service,"
        " actor, actor_kind, audit, action, resource, status, key_id, hash, repeat('a', 64) FROM access_log"
        " WHERE seq = 2",
    )
    forged = await verify(make_uow)
    assert forged.broken is not None and forged.broken.seq == 3
    await execute(make_uow, "ALTER TABLE access_log DISABLE TRIGGER access_log_no_change")
    await execute(make_uow, "DELETE FROM access_log WHERE seq IN (1, 3)")
    removed = await verify(make_uow)
    assert removed.broken is not None and removed.broken.seq == 2 and "missing" in removed.broken.reason


async def test_an_auditor_reads_the_tenants_rows_with_identitys_own_changes(
    client: httpx.AsyncClient, keys: Keys, make_uow: Work
) -> None:
    await person(client, keys, "rue@example.org")
    async with make_uow() as uow:
        payloads = (await uow.session.execute(text("SELECT payload FROM outbox ORDER BY seq"))).scalars().all()
    operators = recorded(INSTALLATION, actor="operator:1", actor_kind="operator", action="GET /v1/inbound")
    await append(make_uow, *(AccessRecorded.model_validate_json(p) for p in payloads), recorded(uuid4()), operators)
    auditor = headers(keys.issuer.issue(tenant_id=TENANT, roles=[Role.AUDITOR]))
    page = (await client.get("/v1/audit", headers=auditor)).json()
    actions = [(row["action"], row["status"]) for row in page["items"]]
    assert actions == [("POST /v1/users", 201), ("POST /v1/invitations/accept", 200), ("POST /v1/sign-in", 200)]
    first = await client.get("/v1/audit", headers=auditor, params={"limit": 1, "action": "POST /v1/sign-in"})
    assert [row["seq"] for row in first.json()["items"]] == [3] and first.json()["next_cursor"] is None
    admin_rows = await client.get("/v1/audit", headers=auditor, params={"actor": f"admin:{TENANT}"})
    assert [row["action"] for row in admin_rows.json()["items"]] == ["POST /v1/users"]
    found = await verify(make_uow)
    assert found.broken is None and found.tenants == 3  # the tenant's, the other tenant's, the installation's
    installation = await verify(make_uow, INSTALLATION)
    assert installation.broken is None and installation.rows == 1
