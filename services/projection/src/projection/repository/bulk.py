"""The rebuild's writes: everything a replay folded, into a fresh schema's empty tables, with COPY (the rows are
the consumer's own, folding.fact_rows and fold_rows)."""

from collections import Counter
from collections.abc import Sequence
from operator import itemgetter
from typing import Any
from uuid import UUID

from claimstream_platform.db import UnitOfWork, inbox
from pydantic_core import to_json
from sqlalchemy import Table

from projection.model import Fact, Folded
from projection.repository.folding import CountKey, EncounterKey, fact_rows, fold_rows
from projection.tables import facts, stream_counts


async def write_all(uow: UnitOfWork, consumer: str, applied: Sequence[UUID], counted: Counter[CountKey],
                    kept: Sequence[Fact], folds: Sequence[tuple[EncounterKey, Folded]]) -> None:  # fmt: skip
    """The inbox rows (a later delivery of a replayed event is skipped), the counts, the facts and the folds."""
    await _copy(uow, inbox, [{"consumer": consumer, "event_id": event_id} for event_id in applied])
    await _copy(uow, stream_counts, [{"tenant_id": t, "topic": topic, "event_type": kind, "minute": minute,
                                      "count": n} for (t, topic, kind, minute), n in counted.items()])  # fmt: skip
    # pydantic-core's encoder: the same JSON as json.dumps for these plain values, several times faster
    await _copy(uow, facts, [{**row, "data": to_json(row["data"]).decode()} for row in fact_rows(kept)])
    for table, rows in fold_rows(folds).items():
        await _copy(uow, table, rows)


async def _copy(uow: UnitOfWork, table: Table, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    connection = await uow.session.connection()
    driver = (await connection.get_raw_connection()).driver_connection
    assert driver is not None
    columns = list(rows[0])
    record = itemgetter(*columns) if len(columns) > 1 else lambda row: (row[columns[0]],)
    # The dialect's jsonb codec takes JSON text, so `data` goes as a string; the rest asyncpg encodes itself.
    await driver.copy_records_to_table(table.name, columns=columns, records=list(map(record, rows)))
