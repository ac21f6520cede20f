"""The access log's test helpers: events as a service publishes them, appended as identity's consumer appends them
(with the tests' audit key), statements run as the tests' superuser or as identity's own role, and the walk."""

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from functools import partial
from typing import Any
from uuid import UUID, uuid4

from claimstream_devtools.schemas_under_test import schema_roles
from claimstream_platform.contracts.access import AccessRecorded
from claimstream_platform.engines import create_engine
from claimstream_platform.messaging.consumer import batched
from claimstream_platform.messaging.envelope import DecodedEvent, EventMetadata
from claimstream_platform.messaging.subscriptions import runs
from identity.chain import Walk
from identity.commands import verified
from identity.handlers import on_access_recorded
from identity.repository import IdentityWork
from identity_testkit import AUDIT_RING, TENANT
from sqlalchemy import text

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
    """In one batch, cut into runs (each tenant's events together) as the consumer cuts it."""
    subscriptions = {AccessRecorded: batched(partial(on_access_recorded, key=AUDIT_RING.current))}
    metadata = EventMetadata(uuid4(), "test", datetime.now(UTC), correlation_id=uuid4())
    items = [DecodedEvent(event=event, metadata=replace(metadata, event_id=uuid4())) for event in events]
    async with make_uow() as uow:
        for run in runs(items, subscriptions):
            await on_access_recorded(run, uow, key=AUDIT_RING.current)
        await uow.commit()


async def execute(make_uow: Work, statement: str, **values: Any) -> None:
    async with make_uow() as uow:
        await uow.session.execute(text(statement), values)
        await uow.commit()


async def as_app_role(schema: str, statement: str, **values: Any) -> None:
    """`statement` as identity's own database role (the one its processes connect as), not the tests' superuser."""
    roles = schema_roles(schema)
    assert roles is not None
    engine = create_engine(roles.app_url, schema=schema, connections=2)
    try:
        async with engine.begin() as connection:
            await connection.execute(text(statement), values)
    finally:
        await engine.dispose()


async def verify(make_uow: Work, tenant: UUID | None = None) -> Walk:
    async with make_uow() as uow:
        return await verified(uow, AUDIT_RING, tenant)
