"""`python -m projection rebuild`: every topic replayed from the beginning into a fresh schema, compared with the
live model, swapped in, and caught up.

1. A fresh schema (`<schema>_rebuild`) is migrated; every topic is read from offset 0 up to its end at the start
   (a progress bar and the rate), decoded as the consumer decodes, each event once; every encounter is folded once
   from all its facts (the same fold the live consumer runs), and the facts, folds, counts and inbox rows are
   written in one transaction. The replay holds the facts in memory (about 1 KB an event).
2. Per-tenant counts and money totals of the fresh model are printed beside the live model's.
3. The fresh tables are copied over the live ones in one transaction (repository/swap.py): the old model serves
   until that commits.
4. What arrived during the replay is applied to the live model from where the replay stopped (the inbox skips
   what the live consumer already applied), and the fresh schema is dropped.

Each run is recorded in the live schema's `rebuilds` as it goes: its step, the records read of the total, how it
ended (rebuild_progress.py), for installation operators to follow (`GET /v1/rebuilds`).
"""

import asyncio
import gc
import sys
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager

from claimstream_platform.db import SessionFactory
from claimstream_platform.engines import create_engine
from claimstream_platform.messaging.consumer import Consumer, Delivery
from claimstream_platform.messaging.envelope import UndecodableEvent, decode
from claimstream_platform.messaging.practice_check import PracticeCheck
from claimstream_platform.messaging.reading import Offsets, Record, Records, topic_reader
from claimstream_platform.migrate import upgrade

from projection import runs
from projection.consumers import SUBSCRIPTIONS
from projection.domain import fold
from projection.handlers import by_encounter, facts_and_counts
from projection.model import Fact
from projection.rebuild_progress import Progress, Run, recorded
from projection.repository import ProjectionWork, swap
from projection.repository.folding import CountKey
from projection.settings import MIGRATIONS, ProjectionSettings


async def read_up_to_now(
    servers: str,
    topics: set[str],
    start: Offsets | None,
    *,
    batch: int,
    show: bool,
    take: Callable[[Records], Awaitable[None]],
    run: Run | None = None,
) -> Offsets:
    """Hand `take` every record of `topics` from `start` (None: the beginning) up to the ends as they are now, a
    fetch at a time, with a progress bar (and counted in `run`); returns those ends."""
    async with topic_reader(servers) as reader:
        partitions = await reader.partitions(lambda topic: topic in topics)
        if not partitions:  # none published yet: all of nothing read
            Progress(0, show, run).done()
            return {}
        begin, ends = await reader.bounds(partitions)
        first = {tp: (start or {}).get(tp, begin[tp]) for tp in partitions}
        progress = Progress(sum(ends[tp] - first[tp] for tp in partitions), show, run)
        async for records in reader.batches(first, ends, batch=batch):
            await take(records)
            progress.advance(len(records))
        progress.done()
        return ends


async def truncated(servers: str, topics: set[str]) -> list[str]:
    """The partitions of `topics` whose first records Kafka has deleted (their retention: TOPIC_RETENTION_DAYS,
    docs/platform.md): a replay from them would build a model without those events."""
    async with topic_reader(servers) as reader:
        partitions = await reader.partitions(lambda topic: topic in topics)
        begin, _ = await reader.bounds(partitions)
    return [f"{tp.topic}[{tp.partition}]" for tp in partitions if begin[tp] > 0]


async def replay(consumer: Consumer, servers: str, start: Offsets | None, *, batch: int, show: bool) -> Offsets:
    """Every record from `start` up to now through the consumer's own apply (decode, inbox, incremental folds):
    every partition's records of a fetch in one transaction, since the fold does not depend on their order."""

    async def apply(records: Records) -> None:
        await consumer.apply(records)

    return await read_up_to_now(servers, set(consumer.topics), start, batch=batch, show=show, take=apply)


async def read_all(
    servers: str, show: bool, take: Callable[[list[Delivery]], Awaitable[None]], run: Run | None = None
) -> Offsets:
    """Every record of the projection's topics up to their ends now, decoded, each event once, handed to `take` a
    fetch at a time (a record that cannot be decoded is left out: the live consumer dead-lettered it)."""
    seen: set[object] = set()

    async def keep(records: Records) -> None:
        # The previous fetch's COPY is a task on this event loop: it moves on only when this code awaits, so the
        # decoding yields every few hundred records (measured: the wait for the COPY fell from 0.28 s to 0.1 s)
        decoded: list[Delivery] = []
        for start in range(0, len(records), 250):
            decoded += _fresh(records[start : start + 250], seen)
            await asyncio.sleep(0)
        await take(decoded)

    topics = {event_class.topic for event_class in SUBSCRIPTIONS}
    return await read_up_to_now(servers, topics, None, batch=5000, show=show, take=keep, run=run)


def _fresh(records: Records, seen: set[object]) -> list[Delivery]:
    return [
        item
        for item in map(_decoded, records)
        if item is not None and type(item.event) in SUBSCRIPTIONS and not _seen(seen, item)
    ]


def _decoded(record: Record) -> Delivery | None:
    try:
        return decode(record.key, record.value, list(record.headers))
    except UndecodableEvent:
        return None


def _seen(seen: set[object], item: Delivery) -> bool:
    if item.metadata.event_id in seen:
        return True
    seen.add(item.metadata.event_id)
    return False


async def scratch_schema(url: str, schema: str, reader: str | None = None) -> None:
    """`schema` made anew as the replay's scratch space, by the role of `url` (the owner): migrated, then stripped
    for one bulk write and read by `reader` (the role that copies it over the live tables) alone (swap.py)."""
    admin = create_engine(url, schema="public", connections=2)
    try:
        await swap.drop_schema(admin, schema)
        await asyncio.to_thread(upgrade, url, schema=schema, script_location=MIGRATIONS)
        await swap.make_scratch(admin, schema, reader)
    finally:
        await admin.dispose()


async def bulk_replay(
    settings: ProjectionSettings, schema: str, show: bool, run: Run | None = None
) -> tuple[Offsets, int]:
    """The whole history folded into `schema`'s empty tables (the scratch schema's, which no wall divides: its
    owner writes every tenant's rows); the ends it read to and the events applied."""
    engine = create_engine(settings.migration_url, schema=schema, connections=2)
    registry = create_engine(settings.across_tenants_url, schema=settings.database_schema, connections=2)
    try:
        with _no_cycle_collection():
            unit = ProjectionWork(swap.sessions(engine))
            return await _read_fold_write(settings, unit, swap.sessions(registry), show, run)
    finally:
        await engine.dispose()
        await registry.dispose()


async def _read_fold_write(
    settings: ProjectionSettings, unit: ProjectionWork, registry: SessionFactory, show: bool, run: Run | None
) -> tuple[Offsets, int]:
    """Each fetch's inbox rows and facts are copied while the next is read; the folds are written once all is read.
    What it holds in memory is freed when it returns, before the cyclic collector is on again. An event whose
    practice is not its tenant's is left out, as the live consumer dead-letters it (one replayed under a stranger
    tenant folded its claim twice, and the rebuild failed on the claim's key)."""
    counted: Counter[CountKey] = Counter()
    kept: list[Fact] = []
    practices = PracticeCheck()
    async with unit as uow, uow.bulk.writer(settings.service_name) as writer:

        async def take(fetched: list[Delivery]) -> None:
            fetched = await practices.handled(registry, fetched)
            counts, facts = facts_and_counts(fetched)
            counted.update(counts)
            kept.extend(facts)
            await writer.events([item.metadata.event_id for item in fetched], facts)

        ends = await read_all(settings.kafka_bootstrap_servers, show, take, run)
        if run is not None:
            await run.enter(runs.FOLDING)
        await writer.folds(counted, [(key, fold(facts)) for key, facts in sorted(by_encounter(kept).items())])
        await uow.commit()
        return ends, writer.applied


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """The replay keeps every event and fact in memory: the cyclic collector would walk that growing heap again
    and again (measured: it took over a third of the replay) for objects that form no cycles worth freeing: they
    are freed by their reference counts when the replay returns. Off while it reads, folds and writes, and on
    again once they are freed (on while they live, its first pass would walk them all: measured 0.1 s)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def compare(live: dict[str, tuple[object, ...]], fresh: dict[str, tuple[object, ...]]) -> list[str]:
    """The tenants whose counts or money differ between the two models (none, when nothing moved meanwhile)."""
    say(
        f"{'tenant':36}  {'claims':>8} {'facts':>8} {'entries':>8} {'cases':>6} {'charged':>14} {'paid':>14} "
        f"{'outstanding':>14}"
    )
    for tenant, row in sorted(fresh.items()):
        say(
            f"{tenant:36}  "
            + " ".join(f"{value:>8}" for value in row[:4])
            + " "
            + " ".join(f"{value:>14}" for value in row[4:])
        )
    return sorted(t for t in set(live) | set(fresh) if live.get(t) != fresh.get(t))


async def rebuild(settings: ProjectionSettings, *, show: bool = True) -> list[str]:
    """The whole rebuild, its run recorded in `rebuilds` as it goes (rebuild_progress.py); returns the tenants whose
    totals differed from the live model before the swap."""
    async with recorded(settings) as run:
        differ, events = await _rebuild(settings, run, show)
        run.finished(events, len(differ))
        return differ


async def _rebuild(settings: ProjectionSettings, run: Run, show: bool) -> tuple[list[str], int]:
    """The owner (MIGRATION_DATABASE_URL) makes, fills and drops the scratch schema; the live model's every tenant's
    rows are read and replaced by the across-tenants role (ACROSS_TENANTS_DATABASE_URL), the one role they are open
    to. The tenants whose totals differed, and the events the replay applied."""
    url, live = settings.migration_url, settings.database_schema
    fresh = f"{live}_rebuild"
    if lost := await truncated(settings.kafka_bootstrap_servers, {event.topic for event in SUBSCRIPTIONS}):
        raise SystemExit(
            f"the topics no longer hold every event ({', '.join(lost)} begin past offset 0): nothing rebuilt"
        )
    owner = create_engine(url, schema=live, connections=4)
    across = create_engine(settings.across_tenants_url, schema=live, connections=4)
    try:
        await scratch_schema(url, fresh, reader=await swap.role_of(across))
        ends, events = await bulk_replay(settings, fresh, show, run)
        await run.enter(runs.COMPARING)
        before, after = await swap.totals(across, live), await swap.totals(owner, fresh)
        differ = compare(before, after)
        if before and not after:
            raise SystemExit("the replay found no events while the live model holds some: nothing swapped")
        await run.enter(runs.SWAPPING)
        await swap.swap_in(across, live=live, fresh=fresh, consumer=settings.service_name)
        await run.enter(runs.CATCHING_UP)
        await _replay_into(settings, live, ends, show=False)  # what came during the replay
        await swap.drop_schema(owner, fresh)
        return differ, events
    finally:
        await owner.dispose()
        await across.dispose()


async def _replay_into(settings: ProjectionSettings, schema: str, start: Offsets | None, show: bool) -> Offsets:
    """As the live consumer applies them: the app role, working as each event's tenant."""
    engine = create_engine(settings.database_url.get_secret_value(), schema=schema, connections=4)
    try:
        consumer = Consumer(
            name=settings.service_name,
            subscriptions=SUBSCRIPTIONS,
            sessionmaker=swap.sessions(engine),
            unit_of_work=ProjectionWork,
            bootstrap_servers=settings.kafka_bootstrap_servers,
        )
        return await replay(
            consumer, settings.kafka_bootstrap_servers, start, batch=settings.rebuild_batch_size, show=show
        )
    finally:
        await engine.dispose()


def say(line: str) -> None:
    sys.stdout.write(line + "\n")


def main(settings: ProjectionSettings) -> int:
    differ = asyncio.run(rebuild(settings))
    if differ:
        say(f"{len(differ)} tenant(s) moved while the replay ran; the catch-up applied what came meanwhile")
    say("rebuilt and swapped in")
    return 0
