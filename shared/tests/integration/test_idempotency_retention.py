"""Idempotency keys and the retention pass, through the example service's API: the pass prunes a key once it has
expired (and its grace has passed), and a key still live replays its first answer as before."""

from datetime import timedelta
from uuid import UUID, uuid4

from claimstream_devtools.testing import Keys
from claimstream_platform.context import ACROSS_TENANTS, acting_as
from claimstream_platform.db import SessionFactory, idempotency_keys
from claimstream_platform.retention import RetentionPolicy, prune
from example.service import entries
from httpx import AsyncClient
from sqlalchemy import func, select, update

KEPT_FOREVER = None


async def test_the_pass_prunes_an_expired_key_and_a_live_key_still_replays(
    client: AsyncClient, keys: Keys, sessionmaker: SessionFactory
) -> None:
    tenant, practice = uuid4(), uuid4()
    auth = {"Authorization": f"Bearer {keys.issuer.issue(tenant_id=tenant, practice_ids=[practice])}"}
    path = f"/v1/practices/{practice}/entries"
    live = await client.post(path, json={"amount": "5.00"}, headers=auth | {"Idempotency-Key": "live"})
    await client.post(path, json={"amount": "6.00"}, headers=auth | {"Idempotency-Key": "expired"})
    async with sessionmaker() as session, session.begin():
        await session.execute(
            update(idempotency_keys)
            .where(idempotency_keys.c.key == "expired")
            .values(expires_at=func.now() - timedelta(hours=2))
        )

    with acting_as(ACROSS_TENANTS):
        policy = RetentionPolicy(KEPT_FOREVER, KEPT_FOREVER, idempotency_grace=timedelta(hours=1))
        pruned = await prune(sessionmaker, policy)

    assert pruned == {"idempotency_keys": 1}
    async with sessionmaker() as session:
        assert list((await session.execute(select(idempotency_keys.c.key))).scalars()) == ["live"]
    again = await client.post(path, json={"amount": "5.00"}, headers=auth | {"Idempotency-Key": "live"})
    assert (again.status_code, again.json()) == (201, live.json())
    assert again.headers["idempotent-replayed"] == "true"
    assert await entries_of(sessionmaker, tenant) == 2  # the live key's entry once, the other key's once


async def entries_of(sessionmaker: SessionFactory, tenant: UUID) -> int:
    async with sessionmaker() as session:
        return int(await session.scalar(select(func.count()).where(entries.c.tenant_id == tenant)) or 0)
