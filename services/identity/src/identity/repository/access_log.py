"""The access log (`uow.access_log`): rows appended one chain at a time under that chain's lock, each chained to
the chain's previous row under the audit key (identity.chain); read back by an auditor of the tenant, and walked
whole to verify it."""

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from claimstream_platform.contracts.access import AccessRecorded
from claimstream_platform.db import Repository
from claimstream_platform.locks import hold_names
from claimstream_platform.many_rows import insert_many, one_of
from sqlalchemy import select, tuple_
from sqlalchemy.engine import Row

from identity.audit_keys import AuditKey
from identity.chain import GENESIS, row_hash
from identity.tables import access_log

c = access_log.c
WALK_BATCH = 5_000


@dataclass(frozen=True)
class AuditQuery:
    since: datetime | None = None
    until: datetime | None = None
    actor: str | None = None
    action: str | None = None


class AccessLog(Repository):
    table = access_log

    async def append(self, events: Sequence[AccessRecorded], key: AuditKey) -> int:
        """One tenant's events, in order, as its chain's next rows, chained with `key`; returns how many were written
        (an event whose `access_id` is in the log already is not). The chain is the tenant's, the installation's for
        what belongs to none."""
        if not events:
            return 0
        tenant_id = events[0].tenant_id
        if any(event.tenant_id != tenant_id for event in events):
            raise ValueError("the events of one chain are appended together")
        await hold_names(self.uow, [f"identity.access_log.{tenant_id}"])
        logged = set(
            await self.session.scalars(select(c.access_id).where(one_of(c.access_id, [e.access_id for e in events])))
        )
        query = select(c.seq, c.hash).where(self.mine(tenant_id)).order_by(c.seq.desc()).limit(1)
        last = (await self.session.execute(query)).first()
        seq, previous = (last.seq, last.hash) if last else (0, GENESIS)
        rows = []
        for event in events:
            if event.access_id in logged:
                continue
            logged.add(event.access_id)
            seq += 1
            row = _content(event, seq=seq)
            chained = row_hash(key, previous, row)
            rows.append({**row, "key_id": key.id, "previous_hash": previous, "hash": chained})
            previous = chained
        await insert_many(self.session, access_log, rows)
        return len(rows)

    async def page(
        self, tenant_id: UUID, query: AuditQuery, *, limit: int, cursor: int | None
    ) -> tuple[Sequence[Row[Any]], int | None]:
        """The tenant's rows in the order they were chained, filtered, after `cursor` (a row's seq)."""
        where = [self.mine(tenant_id)]
        if cursor is not None:
            where.append(c.seq > cursor)
        if query.since is not None:
            where.append(c.occurred_at >= query.since)
        if query.until is not None:
            where.append(c.occurred_at < query.until)
        if query.actor is not None:
            where.append(c.actor == query.actor)
        if query.action is not None:
            where.append(c.action == query.action)
        rows = (await self.session.execute(select(access_log).where(*where).order_by(c.seq).limit(limit + 1))).all()
        page = rows[:limit]
        return page, (page[-1].seq if len(rows) > limit else None)

    async def walk(self, tenant_id: UUID | None = None) -> AsyncIterator[dict[str, Any]]:
        """Every row (of one tenant, or of all of them) in chain order, a batch at a time."""
        after: tuple[UUID, int] | None = None
        while True:
            query = select(access_log).order_by(c.tenant_id, c.seq).limit(WALK_BATCH)
            if tenant_id is not None:
                query = query.where(self.mine(tenant_id))
            if after is not None:
                query = query.where(tuple_(c.tenant_id, c.seq) > tuple_(*after))
            rows = (await self.session.execute(query)).mappings().all()
            for row in rows:
                yield dict(row)
            if len(rows) < WALK_BATCH:
                return
            after = (rows[-1]["tenant_id"], rows[-1]["seq"])


def _content(event: AccessRecorded, *, seq: int) -> dict[str, Any]:
    return {
        "tenant_id": event.tenant_id,
        "seq": seq,
        "access_id": event.access_id,
        "occurred_at": event.occurred_at if event.occurred_at.tzinfo else event.occurred_at.replace(tzinfo=UTC),
        "service": event.service,
        "actor": event.actor,
        "actor_kind": event.actor_kind,
        "audit": event.audit,
        "action": event.action,
        "resource": dict(event.resource),
        "status": event.status,
        "client": event.client,
        "correlation_id": event.correlation_id,
    }
