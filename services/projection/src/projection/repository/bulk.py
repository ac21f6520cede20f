"""The rebuild's writes (`uow.bulk`, in the rebuild's one unit of work on the fresh schema): everything a replay
read and folded, into the fresh schema's empty tables, with COPY (the rows are the consumer's own, folding.fact_rows
and fold_rows). The replay is every tenant's, so no tenant filter: the rows carry their tenants."""

import asyncio
import contextlib
from collections import Counter
from collections.abc import Sequence
from operator import itemgetter
from typing import Any
from uuid import UUID

from claimstream_platform.db import Repository, inbox
from pydantic_core import to_json
from sqlalchemy import Table

from projection.model import Fact, Folded
from projection.repository.folding import CountKey, EncounterKey, fact_rows, fold_rows
from projection.tables import facts, stream_counts


class Writer:
    """COPY into the fresh schema's tables while the replay reads: each fetch's inbox rows (a later delivery of a
    replayed event is skipped) and facts go in a task of their own, so the database takes them while the next
    fetch is read and decoded; one COPY at a time on the transaction's connection. Then the counts and folds."""

    def __init__(self, bulk: "Bulk", consumer: str) -> None:
        self._bulk, self._consumer = bulk, consumer
        self._pending: asyncio.Task[None] | None = None
        self.applied = 0

    async def __aenter__(self) -> "Writer":
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._pending is not None:  # the replay failed before its last COPY was drained: abandoned with it
            self._pending.cancel()
            with contextlib.suppress(BaseException):
                await self._pending

    async def events(self, applied: Sequence[UUID], kept: Sequence[Fact]) -> None:
        await self._drain()
        self.applied += len(applied)
        self._pending = asyncio.create_task(self._copy_events(applied, kept))

    async def folds(self, counted: Counter[CountKey], folds: Sequence[tuple[EncounterKey, Folded]]) -> None:
        await self._drain()
        counts = [
            {"tenant_id": t, "topic": topic, "event_type": kind, "minute": minute, "count": n}
            for (t, topic, kind, minute), n in counted.items()
        ]
        await self._bulk.copy(stream_counts, counts)
        for table, rows in fold_rows(folds).items():
            await self._bulk.copy(table, rows)

    async def _copy_events(self, applied: Sequence[UUID], kept: Sequence[Fact]) -> None:
        await self._bulk.copy(inbox, [{"consumer": self._consumer, "event_id": event_id} for event_id in applied])
        # pydantic-core's encoder: the same JSON as json.dumps for these plain values, several times faster
        await self._bulk.copy(facts, [{**row, "data": to_json(row["data"]).decode()} for row in fact_rows(kept)])

    async def _drain(self) -> None:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            await pending


class Bulk(Repository):
    table = facts

    def writer(self, consumer: str) -> Writer:
        """A replay's writer into this unit's schema, for `consumer`'s inbox rows."""
        return Writer(self, consumer)

    async def copy(self, table: Table, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        connection = await self.session.connection()
        driver = (await connection.get_raw_connection()).driver_connection
        assert driver is not None
        columns = list(rows[0])
        record = itemgetter(*columns) if len(columns) > 1 else lambda row: (row[columns[0]],)
        # The dialect's jsonb codec takes JSON text, so `data` goes as a string; the rest asyncpg encodes itself.
        await driver.copy_records_to_table(table.name, columns=columns, records=list(map(record, rows)))
