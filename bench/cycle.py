"""What the end-to-end bench follows, outside the services: each encounter through the cycle's stages, read from
each service's own tables (the bench connects as the database's owner), and every consumer group's lag, read from
Kafka. Neither goes through a service's API, so neither adds to the CPU the bench charges the services."""

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from aiokafka import AIOKafkaConsumer, TopicPartition
from claimstream_platform.engines import create_engine
from claimstream_platform.messaging.kafka import new_admin
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

STAGES = ("submitted", "accepted", "remitted", "visible")
# An encounter that is not visible is reported by the furthest of these it reached (a rejection after an acceptance
# wins, as it does in claim submission; an 835 may come before its 277CA, so the order is not the times').
SHORT_OF_VISIBLE = ("posted", "held", "submitted", "accepted", "remitted", "rejected")
# Seconds in which no encounter reached a followed stage after which the rest are taken as never coming (a claim the
# payer keeps for review is paid days later): longer than any loop that moves a claim through those stages in the
# bench (the payers' cycle, 2 s; the status inquiry, 15 s).
QUIET_SECONDS = 30
# When each encounter's claim reached a stage: claim submission's history (submitted, accepted by the payer's
# 277CA, rejected by a 999 or a 277CA, or held by our own checks), remittance posting's first payment posted for it
# (its 835), by the database's clock at the write.
_REACHED = text(
    """
    SELECT c.encounter_id, h.status AS stage, extract(epoch FROM min(h.at)) AS at
    FROM claim_submission.claims c JOIN claim_submission.claim_history h ON h.claim_id = c.id
    WHERE h.status IN ('submitted', 'accepted', 'held', 'rejected') AND c.encounter_id = ANY(:encounters)
    GROUP BY 1, 2
    UNION ALL
    SELECT c.encounter_id, 'remitted', extract(epoch FROM min(p.created_at))
    FROM claim_submission.claims c JOIN remittance_posting.claim_payments p ON p.claim_id = c.id
    WHERE p.state = 'posted' AND c.encounter_id = ANY(:encounters)
    GROUP BY 1
    """
)
# The projection keeps business times, not when it folded an event: a claim is visible there from the first poll
# that finds it adjudicated, and the follow polls once a second from the phase's start, so this stage is late by up
# to a second and a poll's length.
_VISIBLE = text(
    "SELECT DISTINCT encounter_id FROM projection.claims "
    "WHERE adjudicated_at IS NOT NULL AND encounter_id = ANY(:encounters)"
)


@dataclass
class Cycle:
    """The encounters of one phase, each with when it was posted and when it reached each stage."""

    posted: dict[str, float] = field(default_factory=dict)  # encounter id: when its batch was sent
    reached: dict[str, dict[str, float]] = field(default_factory=dict)  # encounter id: stage: when
    refused: dict[int, int] = field(default_factory=dict)  # batches answered 429 or 503 (then sent again), by status

    def settled(self) -> bool:
        """Every encounter visible in the projection."""
        return all("visible" in self.reached.get(e, {}) for e in self.posted)

    def short_of_visible(self) -> dict[str, int]:
        """How many encounters never became visible, by the furthest stage they reached."""
        short: dict[str, int] = {}
        for encounter in self.posted:
            reached = self.reached.get(encounter, {})
            if "visible" not in reached:
                furthest = max(["posted", *reached], key=SHORT_OF_VISIBLE.index)
                short[furthest] = short.get(furthest, 0) + 1
        return short

    def latencies(self, stage: str) -> list[float]:
        return [self.reached[e][stage] - at for e, at in self.posted.items() if stage in self.reached.get(e, {})]

    def count(self, stage: str) -> int:
        return sum(stage in self.reached.get(e, {}) for e in self.posted)


async def follow(
    database_url: str, cycle: Cycle, posting: "asyncio.Task[None]", timeout: float, moved: Callable[[], None]
) -> None:
    """Poll each stage once a second while `posting` adds encounters to `cycle`, then until every encounter is
    visible, no encounter has reached a followed stage for QUIET_SECONDS, or `timeout` has passed since the posting
    ended; `moved` is called after each poll that found one at a stage it had not been seen at (the bench reads the
    CPU there)."""
    engine = create_engine(database_url, schema="public", connections=2)
    deadline, last_move = float("inf"), time.time()
    try:
        while True:
            if await _poll(engine, cycle):
                last_move = time.time()
                moved()
            if posting.done():
                if deadline == float("inf"):  # the first poll after the posting ended: the waits start here
                    deadline, last_move = time.time() + timeout, time.time()
                if cycle.settled() or time.time() >= deadline or time.time() - last_move >= QUIET_SECONDS:
                    return
            await asyncio.sleep(1)
    finally:
        await engine.dispose()


async def _poll(engine: AsyncEngine, cycle: Cycle) -> bool:
    """Whether any encounter was found at a stage it had not been seen at (a visible one's 277CA may come later)."""
    before = sum(len(stages) for stages in cycle.reached.values())
    waiting = [UUID(e) for e in cycle.posted if "visible" not in cycle.reached.get(e, {})]
    async with engine.connect() as connection:
        rows = (await connection.execute(_REACHED, {"encounters": [UUID(e) for e in cycle.posted]})).all()
        visible = (await connection.execute(_VISIBLE, {"encounters": waiting})).scalars().all()
    for row in rows:
        cycle.reached.setdefault(str(row.encounter_id), {})[row.stage] = float(row.at)
    seen = time.time()
    for encounter_id in visible:
        cycle.reached.setdefault(str(encounter_id), {}).setdefault("visible", seen)
    return sum(len(stages) for stages in cycle.reached.values()) > before


class GroupLags:
    """Every consumer group's lag (records its members have not committed, over the partitions it has committed
    on), sampled while a phase runs; the worst seen per group."""

    def __init__(self, bootstrap: str) -> None:
        self._admin = new_admin(bootstrap)
        self._consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
        self.worst: dict[str, int] = {}

    async def __aenter__(self) -> "GroupLags":
        await self._admin.start()
        await self._consumer.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self._admin.close()
        with contextlib.suppress(asyncio.CancelledError):
            await self._consumer.stop()

    async def sample(self) -> None:
        for group, *_ in await self._admin.list_consumer_groups():
            committed = await self._admin.list_consumer_group_offsets(group)
            partitions = [tp for tp in committed if isinstance(tp, TopicPartition)]
            if not partitions:
                continue
            ends = await self._consumer.end_offsets(partitions)
            lag = sum(max(0, ends[tp] - committed[tp].offset) for tp in partitions)
            self.worst[group] = max(self.worst.get(group, 0), lag)

    def reset(self) -> None:
        self.worst = {}


async def events(database_url: str) -> dict[str, dict[str, int]]:
    """Per service (its schema): the events it has published (outbox rows) and applied (inbox rows) so far, and the
    statements its roles ran (pg_stat_statements, which the local stack's PostgreSQL loads)."""
    engine = create_engine(database_url, schema="public", connections=2)
    counts: dict[str, dict[str, int]] = {}
    try:
        async with engine.begin() as connection:  # the extension made, if loaded
            schemas = (await connection.execute(_WITH_OUTBOX)).scalars().all()
            for schema in schemas:
                published = await connection.scalar(text(f'SELECT count(*) FROM "{schema}".outbox'))
                applied = await connection.scalar(text(f'SELECT count(*) FROM "{schema}".inbox'))
                counts[schema] = {"published": published or 0, "applied": applied or 0, "statements": 0}
            if await connection.scalar(_LOADED):
                await connection.execute(text("CREATE EXTENSION IF NOT EXISTS pg_stat_statements"))
                for role, calls in await connection.execute(_STATEMENTS):
                    schema = role.removesuffix("_app").removesuffix("_across")
                    if schema in counts:
                        counts[schema]["statements"] += calls
    finally:
        await engine.dispose()
    return counts


_WITH_OUTBOX = text(
    "SELECT o.table_schema FROM information_schema.tables o JOIN information_schema.tables i "
    "ON i.table_schema = o.table_schema AND i.table_name = 'inbox' WHERE o.table_name = 'outbox' ORDER BY 1"
)
_LOADED = text("SELECT current_setting('shared_preload_libraries') LIKE '%pg_stat_statements%'")
_STATEMENTS = text(
    "SELECT r.rolname, sum(s.calls)::bigint FROM pg_stat_statements s JOIN pg_roles r ON r.oid = s.userid "
    "GROUP BY r.rolname"
)
# Each statement's calls and PostgreSQL's time running them (ms, waits included) by the role that ran it, its text
# as pg_stat_statements keeps it (constants replaced by $n)
_EACH_STATEMENT = text(
    "SELECT r.rolname, left(regexp_replace(s.query, '\\s+', ' ', 'g'), 160), sum(s.calls)::bigint, "
    "sum(s.total_exec_time)::float FROM pg_stat_statements s JOIN pg_roles r ON r.oid = s.userid GROUP BY 1, 2"
)
Ran = dict[str, dict[str, tuple[int, float]]]  # service: statement: calls, ms


async def statements(database_url: str) -> Ran:
    """Per service (its schema, from its roles' names): each statement its roles ran, how many times so far, and
    PostgreSQL's time running them."""
    engine = create_engine(database_url, schema="public", connections=1)
    found: Ran = {}
    try:
        async with engine.connect() as connection:
            if not await connection.scalar(_LOADED):
                return {}
            for role, query, calls, ms in await connection.execute(_EACH_STATEMENT):
                schema = role.removesuffix("_app").removesuffix("_across")
                was_calls, was_ms = found.setdefault(schema, {}).get(query, (0, 0.0))
                found[schema][query] = (was_calls + calls, was_ms + ms)
    finally:
        await engine.dispose()
    return found


def busiest(before: Ran, after: Ran, encounters: int, top: int = 8) -> dict[str, dict[str, float]]:
    """Per service, its `top` statements by calls per encounter between two readings of `statements`."""
    found = {}
    for schema, each in after.items():
        ran = {query: calls - before.get(schema, {}).get(query, (0, 0.0))[0] for query, (calls, _) in each.items()}
        most = sorted(((n, query) for query, n in ran.items() if n > 0), reverse=True)[:top]
        if most:
            found[schema] = {query: round(n / max(1, encounters), 2) for n, query in most}
    return found


def longest(before: Ran, after: Ran, encounters: int, top: int = 6) -> list[dict[str, Any]]:
    """The `top` statements of any role by PostgreSQL's time per encounter between two readings of `statements`:
    its execution, waits for locks included (a statement whose mean is long waits more than it works)."""
    spent = []
    for schema, each in after.items():
        for query, (calls, ms) in each.items():
            was_calls, was_ms = before.get(schema, {}).get(query, (0, 0.0))
            if ms > was_ms:
                spent.append((ms - was_ms, calls - was_calls, schema, query))
    return [
        {
            "service": schema,
            "ms_per_encounter": round(ms / max(1, encounters), 2),
            "mean_ms": round(ms / max(1, calls), 1),
            "query": query,
        }
        for ms, calls, schema, query in sorted(spent, reverse=True)[:top]
    ]
