"""The relay's read of the pending rows after a burst, on real PostgreSQL: the entries its partial index keeps for rows
already sent (until vacuum) are walked by the first read after the burst, not by every read."""

from typing import Any

from claimstream_platform.messaging.outbox import _pending, take_turn
from sqlalchemy import text
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

BURST = 20_000


async def test_the_first_read_after_a_burst_passes_the_rows_it_left_sent_and_the_next_reads_skip_them(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker() as session, session.begin():
        await session.execute(text("ALTER TABLE outbox SET (autovacuum_enabled = false)"))  # no vacuum meanwhile
        await session.execute(
            text(
                "INSERT INTO outbox (event_id, tenant_id, topic, key, event_type, subject, correlation_id, payload)"
                " SELECT gen_random_uuid(), gen_random_uuid(), 't.v1', 'k', 'e', 's', gen_random_uuid(), 'x'::bytea"
                " FROM generate_series(1, :n)"
            ),
            {"n": BURST},
        )
    async with sessionmaker() as session, session.begin():
        await session.execute(text("UPDATE outbox SET sent_at = now()"))  # the burst, published and marked

    first, second = [await _read_as_the_relay_does(sessionmaker) for _ in range(2)]
    assert first["Node Type"] == "Index Scan" and first["Actual Rows"] == 0
    assert second["Shared Hit Blocks"] * 3 < first["Shared Hit Blocks"]  # the heap is not visited again
    assert second.get("Heap Blocks", 0) == 0


async def _read_as_the_relay_does(sessionmaker: async_sessionmaker[AsyncSession]) -> dict[str, Any]:
    """The plan and counts of a pass's read, in a pass's transaction (its turn taken first)."""
    read = _pending(500).compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})
    async with sessionmaker() as session, session.begin():
        await take_turn(session, "reads-test")
        [[plans]] = await session.execute(text(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {read}"))
    node = plans[0]["Plan"]
    while node["Node Type"] in ("Limit", "Result", "Sort"):
        [node] = node["Plans"]
    return dict(node)
