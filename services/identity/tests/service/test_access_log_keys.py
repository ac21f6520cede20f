"""The access log's key: the rows chained before it are checked once and chained anew with it by migration 0003 (a
chain that does not hold stops the migration), and `python -m identity verify-audit` verifies with the ring."""

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
from access_log_testkit import Work, append, recorded, verify
from alembic import command
from alembic.config import Config
from claimstream_devtools.schemas_under_test import schema_roles
from claimstream_devtools.testing import Keys, StackUnderTest, service_settings
from identity import commands
from identity.chain import GENESIS, unkeyed_hash
from identity.service import SERVICE
from identity_testkit import AUDIT_RING, TENANT
from sqlalchemy import text

LEGACY = (
    "INSERT INTO access_log (tenant_id, seq, access_id, occurred_at, service, actor, actor_kind, audit, action,"
    " resource, status, client, correlation_id, previous_hash, hash) VALUES (:tenant_id, :seq, :access_id,"
    " :occurred_at, 'claim-submission', 'person:1', 'person', 'phi', 'GET /v1/claims/{claim_id}',"
    " CAST(:resource AS JSONB), 200, '10.0.0.7', NULL, :previous_hash, :hash)"
)


def legacy_chain(tenant: UUID, count: int) -> list[dict[str, Any]]:
    """Rows as identity wrote them before the key: a plain sha256 chain."""
    rows, previous = [], GENESIS
    for seq in range(1, count + 1):
        row: dict[str, Any] = {
            "tenant_id": tenant,
            "seq": seq,
            "access_id": uuid4(),
            "occurred_at": datetime(2026, 12, 1, 9, seq, tzinfo=UTC),
            "service": "claim-submission",
            "actor": "person:1",
            "actor_kind": "person",
            "audit": "phi",
            "action": "GET /v1/claims/{claim_id}",
            "resource": {"claim_id": str(uuid4())},
            "status": 200,
            "client": "10.0.0.7",
            "correlation_id": None,
        }
        row |= {"previous_hash": previous, "hash": unkeyed_hash(previous, row)}
        rows.append(row)
        previous = row["hash"]
    return rows


async def migrate_to(schema: str, revision: str, upgrade: bool) -> None:
    roles = schema_roles(schema)
    assert roles is not None
    config = Config()
    config.set_main_option("script_location", str(SERVICE.migrations))
    config.attributes.update(database_url=roles.owner_url, schema=schema)
    await asyncio.to_thread(command.upgrade if upgrade else command.downgrade, config, revision)


@pytest.fixture
def identity_environment(
    monkeypatch: pytest.MonkeyPatch, stack: StackUnderTest, schema: str, keys: Keys, audit_key_file: Path
) -> None:
    """What `python -m identity migrate` is started with: the migration reads the ring from the settings."""
    for name, value in {
        "SERVICE_NAME": "identity",
        "DATABASE_URL": stack.database_url,
        "DATABASE_SCHEMA": schema,
        "KAFKA_BOOTSTRAP_SERVERS": stack.bootstrap_servers,
        "AUTH_PUBLIC_KEY_FILE": str(keys.public_key_file),
        "IDENTITY_SIGNING_KEY_FILE": str(keys.public_key_file.parent / "signing.pem"),
        "IDENTITY_AUDIT_KEY_FILE": str(audit_key_file),
    }.items():
        monkeypatch.setenv(name, value)


async def with_legacy_rows(make_uow: Work, schema: str, *chains: list[dict[str, Any]]) -> None:
    """The schema as it was before migration 0003, with `chains` in its log."""
    await migrate_to(schema, "0002", upgrade=False)
    async with make_uow() as uow:
        for row in (row for chain in chains for row in chain):
            values = {k: row[k] for k in ("tenant_id", "seq", "access_id", "occurred_at", "previous_hash", "hash")}
            await uow.session.execute(text(LEGACY), values | {"resource": json.dumps(row["resource"])})
        await uow.commit()


@pytest.mark.usefixtures("identity_environment")
async def test_the_rows_of_before_the_key_are_chained_anew_with_it(make_uow: Work, schema: str) -> None:
    other = uuid4()
    await with_legacy_rows(make_uow, schema, legacy_chain(TENANT, 3), legacy_chain(other, 2))
    await migrate_to(schema, "head", upgrade=True)
    found = await verify(make_uow)
    assert found.broken is None and (found.rows, found.tenants) == (5, 2)
    assert found.by_key == {AUDIT_RING.current.id: 5}
    await append(make_uow, recorded())  # the chain goes on from the row chained anew
    assert (await verify(make_uow, TENANT)).rows == 4


@pytest.mark.usefixtures("identity_environment")
async def test_a_chain_that_did_not_hold_before_the_key_stops_the_migration(make_uow: Work, schema: str) -> None:
    edited = legacy_chain(TENANT, 3)
    edited[1]["occurred_at"] = datetime(2026, 12, 1, 10, tzinfo=UTC)
    await with_legacy_rows(make_uow, schema, edited)
    with pytest.raises(RuntimeError, match=f"chain {TENANT} does not hold at row 2"):
        await migrate_to(schema, "head", upgrade=True)
    async with make_uow() as uow:  # nothing was sealed: the migration's transaction was rolled back
        kept = (await uow.session.execute(text("SELECT hash FROM access_log ORDER BY seq"))).scalars().all()
        version = await uow.session.scalar(text("SELECT version_num FROM alembic_version"))
    assert kept == [row["hash"] for row in edited] and version == "0002"


async def test_verify_audit_says_intact_or_names_the_broken_row_and_exits_1(
    make_uow: Work,
    stack: StackUnderTest,
    schema: str,
    keys: Keys,
    audit_key_file: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings = service_settings(
        SERVICE,
        stack,
        schema,
        keys.public_key_file,
        identity_signing_key_file=keys.public_key_file.parent / "signing.pem",
        identity_audit_key_file=audit_key_file,
    )
    monkeypatch.setattr("sys.argv", ["identity", "verify-audit"])
    await append(make_uow, recorded(), recorded())
    assert await asyncio.to_thread(commands.verify_audit, settings) == 0
    assert "intact: 2 rows in 1 chains" in capsys.readouterr().out
    async with make_uow() as uow:
        await uow.session.execute(text("ALTER TABLE access_log DISABLE TRIGGER access_log_no_change"))
        await uow.session.execute(text("UPDATE access_log SET client = '192.0.2.1' WHERE seq = 2"))
        await uow.commit()
    assert await asyncio.to_thread(commands.verify_audit, settings) == 1
    assert f"broken: chain {TENANT}, row 2: its content does not match its hash" in capsys.readouterr().out
    without_key = settings.model_copy(update={"identity_audit_key_file": None})
    assert await asyncio.to_thread(commands.verify_audit, without_key) == 2
