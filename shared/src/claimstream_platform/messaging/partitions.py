"""Each partition's batch on its own: applied, its partition fetched again, and its offset committed soon after,
while the poll loop goes on polling and the other partitions go on flowing.

The poll loop hands a fetched batch to a task of its partition and pauses the partition (`consumer.pause`), so nothing
more is fetched from it until that batch is applied: order within a partition is kept, and no partition is ever
applied twice at once. The task applies the batch, rests GATHER_SECONDS unless the batch was full (a backlog), and
resumes the partition: the next batch gathers what arrived meanwhile: fewer, larger batches, each a transaction with
its fixed statements. A service whose events nobody waits on by the second (the projection: people's pages) declares
a longer rest (`Service.gather_seconds`, kit.py). A partition whose batch is slow, or stuck behind a lock, holds
nothing but itself: the others flow, and the poll loop keeps calling `getmany`, so the member stays in its group
(`max_poll_interval_ms`).

The applied batches' offsets are committed by the poll loop (`commit_due`), all partitions' in one request, at most
once every COMMIT_SECONDS; and those of the partitions a rebalance takes away, or of all when the consumer stops,
before they go. A commit per batch had been a Kafka request, and a write to its offsets topic, for each few events. A
worker that dies loses the commits of its last second or two: the next owner is given those events again and the inbox
skips them, as it does for any batch applied and not yet committed.

A consumer whose partitions' batches would touch the same rows works `together`: what a poll fetched from all its
partitions is one batch, and every partition is paused until it is applied. The consumer's batches then never wait
for each other's locks, and each is larger (the projection: a claim's events and its payment's come on different
topics and fold into one encounter). A slow batch holds every partition of that consumer, so a consumer that calls out
to others does not work this way.

A rebalance waits (`on_partitions_revoked`) for the batches of the partitions it takes away, a little while; a
batch still running then is cancelled: its transaction rolls back, its offset is not committed, and the next owner
applies it again (the inbox skips what was applied). So is a batch still running when the consumer stops.

A commit the group's coordinator does not answer is given up after `settle_seconds` and its offsets tried again with
the next. While no fetch of this consumer's partitions is answered either, that is an outage, waited out. But when
fetches are answered and commits still go unanswered, in a row that an answered or refused commit, an outage or a
rebalance ends, for WEDGED_AFTER seconds, the client is taken for wedged: `commit_due` raises `ConsumerWedged`, and
the worker starts a new client (workers.py); the events applied and not committed come again, and the inbox skips
them. A reliability run saw a client after the broker's restart that, expired from its group, applied what it fetched
for a minute with every commit timing out (why, inside aiokafka, is not known). A client stuck inside a rejoin, whose
poll never returns, is not caught here.
"""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping

from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, ConsumerRecord, TopicPartition
from aiokafka.errors import CommitFailedError, IllegalStateError

from claimstream_platform import faults, telemetry

log = logging.getLogger(__name__)

Records = list[ConsumerRecord[bytes, bytes]]
COMMIT_SECONDS = 1.0  # how long an applied batch's offset may wait, to be committed with the others'
GATHER_SECONDS = 0.2  # how long a partition rests, paused, after its batch: the next one gathers what arrives meanwhile
# How long commits may go unanswered while fetches are answered before the client is taken for wedged: far longer
# than a coordinator takes to load its groups after a restart (seconds), so that one is not taken for a wedge.
WEDGED_AFTER = 30.0


class ConsumerWedged(Exception):
    """The broker answers the consumer's fetches, but its group's coordinator has answered none of its commits for
    WEDGED_AFTER seconds: the client is started anew."""


class PartitionWork(ConsumerRebalanceListener):  # type: ignore[misc]  # aiokafka's abc has no types
    """The running batches of one consumer: a task per partition, or one for all (`together`)."""

    def __init__(
        self,
        name: str,
        apply: Callable[[Records], Awaitable[None]],
        *,
        settle_seconds: float,
        wedged_after: float | None = None,
        together: bool = False,
        gather_seconds: float = GATHER_SECONDS,
    ) -> None:
        self.name = name
        self.apply = apply
        self.settle_seconds = settle_seconds
        self.wedged_after = WEDGED_AFTER if wedged_after is None else wedged_after
        self.together = together
        self.gather_seconds = gather_seconds
        self.full_batch: int  # records: a fetch brings at most this many (`attach`)
        self.running: dict[TopicPartition, asyncio.Task[None]] = {}  # a partition's batch (several share one together)
        self.applied: dict[TopicPartition, int] = {}  # the offsets to commit: past the batches applied
        self.committed_at = time.monotonic()
        self.tried_at = time.time()  # the last commit's start: wall clock, as aiokafka dates a fetch's answer
        self.unanswered_since: float | None = None  # (monotonic) the first of the commits unanswered in a row
        self.rebalances = 0  # partitions revoked so far: what a commit left unanswered meanwhile is not kept
        self.consumer: AIOKafkaConsumer

    def attach(self, consumer: AIOKafkaConsumer, *, max_records: int = 500) -> None:
        """The consumer whose partitions this works, whose fetches bring at most `max_records` records."""
        self.consumer = consumer
        self.full_batch = max_records

    def start(self, batch: Mapping[TopicPartition, Records]) -> None:
        """A task for each partition's fetched records, or one for all of them (`together`), once the finished tasks
        are reaped. The partitions are paused until their records are applied; `together`, every partition is, so
        one batch runs at a time."""
        self.reap()
        fetched = {partition: records for partition, records in batch.items() if records}
        if self.together and fetched:
            if self.running:  # not expected (all were paused): fetched again once the batch is done
                self._fetch_again_later(fetched)
                return
            self.consumer.pause(*self.consumer.assignment())
            self._run(fetched)
            return
        for partition, records in fetched.items():
            if partition in self.running:  # not expected (it was paused)
                self._fetch_again_later({partition: records})
            else:
                self.consumer.pause(partition)
                self._run({partition: records})

    def _fetch_again_later(self, fetched: Mapping[TopicPartition, Records]) -> None:
        for partition, records in fetched.items():
            self.consumer.pause(partition)
            self.consumer.seek(partition, records[0].offset)

    def _run(self, fetched: Mapping[TopicPartition, Records]) -> None:
        task = asyncio.create_task(self._work(fetched))
        for partition in fetched:
            self.running[partition] = task

    def reap(self) -> None:
        """Forget the finished tasks; a task that failed fails the poll loop (and the worker is started again)."""
        for task in set(self.running.values()):
            if task.done():
                self._forget(task)
                task.result()

    def _forget(self, task: asyncio.Task[None]) -> None:
        for partition in [partition for partition, running in self.running.items() if running is task]:
            del self.running[partition]

    async def _work(self, fetched: Mapping[TopicPartition, Records]) -> None:
        try:
            await self.apply([record for records in fetched.values() for record in records])
        except asyncio.CancelledError:
            self._rewind(fetched)
            raise
        await faults.point(faults.CONSUMER_APPLIED)
        self.applied |= {partition: records[-1].offset + 1 for partition, records in fetched.items()}
        full = sum(map(len, fetched.values())) >= self.full_batch  # a backlog: fetched again at once
        try:
            await asyncio.sleep(0 if full else self.gather_seconds)  # the next batch gathers what arrives meanwhile
        finally:
            self._resume(fetched)

    async def commit_due(self) -> None:
        """Commit every applied offset, once COMMIT_SECONDS have gone since the last commit; raise `ConsumerWedged`
        when this commit too went unanswered, the last of a row of `wedged_after` seconds with fetches answered."""
        if time.monotonic() - self.committed_at < COMMIT_SECONDS:
            return
        self.committed_at = time.monotonic()
        await self.commit_applied(list(self.applied))
        if self.unanswered_since is not None and time.monotonic() - self.unanswered_since > self.wedged_after:
            raise ConsumerWedged(f"{self.name}: no commit answered for {self.wedged_after:.0f} s, fetches answered")

    async def commit_applied(self, partitions: Iterable[TopicPartition]) -> None:
        """Commit the applied offsets of `partitions` now. An offset of a partition no longer assigned is dropped,
        and so is one whose commit a rebalance refuses: its events come again to the partition's next owner, and the
        inbox skips them. One the coordinator does not answer within `settle_seconds` is tried again later."""
        assigned = self.consumer.assignment()
        offsets = {partition: self.applied.pop(partition) for partition in set(partitions) & set(self.applied)}
        offsets = {partition: offset for partition, offset in offsets.items() if partition in assigned}
        unanswered_since, self.unanswered_since = self.unanswered_since, None  # kept only if this one goes unanswered
        if not offsets:
            return
        tried_before, self.tried_at = self.tried_at, time.time()
        rebalances, started = self.rebalances, time.monotonic()
        try:
            async with asyncio.timeout(self.settle_seconds):  # aiokafka retries an unreachable coordinator forever
                await self.consumer.commit(offsets)
        except TimeoutError:
            if self.rebalances != rebalances:  # every partition was revoked meanwhile: fetched again from the broker's
                return  # committed offsets; the row of unanswered commits ends with the rebalance too
            if self._fetches_answered_since(tried_before):  # else no fetch answered either: an outage, waited out
                self.unanswered_since = started if unanswered_since is None else unanswered_since
            self._keep(offsets)
        except (CommitFailedError, IllegalStateError) as error:  # answered: a rebalance, or the partition gone
            log.warning("offsets not committed", extra={"consumer": self.name, "error": type(error).__name__})

    def _keep(self, offsets: Mapping[TopicPartition, int]) -> None:
        """Unanswered `offsets` kept for the next commit (unless a batch applied meanwhile moved one on)."""
        for partition, offset in offsets.items():
            self.applied[partition] = max(offset, self.applied.get(partition, offset))
        wedging = self.unanswered_since is not None
        log.warning("offsets not committed", extra={"consumer": self.name, "error": "TimeoutError", "wedging": wedging})

    def _fetches_answered_since(self, moment: float) -> bool:
        """Whether the broker answered a fetch of an assigned partition after `moment` (wall clock)."""
        answered = (self.consumer.last_poll_timestamp(partition) for partition in self.consumer.assignment())
        return any(at is not None and at / 1000 > moment for at in answered)

    def _rewind(self, fetched: Mapping[TopicPartition, Records]) -> None:
        """A batch cancelled (a rebalance, a stop) is applied again from its start by whoever fetches it next. aiokafka
        takes every partition back at a rebalance, so none stays here; but one that did (a together batch spans
        several, and a rebalance may take only some) would be fetched past the batch, and left paused."""
        assigned = self.consumer.assignment()
        for partition, records in fetched.items():
            if partition in assigned:
                self.consumer.seek(partition, records[0].offset)
        self._resume(fetched)

    def _resume(self, fetched: Mapping[TopicPartition, Records]) -> None:
        assigned = self.consumer.assignment()
        self.consumer.resume(*(assigned if self.together else assigned & set(fetched)))

    async def stop(self) -> None:
        """The consumer stops (or crashed): its batches settle, and the offsets of those applied are committed,
        unless its last commits went unanswered (a wedge, or on the way to one): the next owner is given them again."""
        await self.settle()
        if self.unanswered_since is not None:
            return
        try:
            await self.commit_applied(list(self.applied))
        except Exception as error:  # not committed: the next owner is given those events again, the inbox skips them
            log.warning(
                "offsets not committed at the stop", extra={"consumer": self.name, "error": type(error).__name__}
            )

    async def settle(self, partitions: Iterable[TopicPartition] | None = None) -> None:
        """Let the batches of `partitions` (of all, if None) finish for up to `settle_seconds`, then cancel the
        rest: a cancelled batch rolls back, commits no offset, and is applied again by whoever fetches it next."""
        wanted = set(self.running) if partitions is None else set(partitions) & set(self.running)
        tasks = list({self.running[partition] for partition in wanted})
        for task in tasks:
            self._forget(task)  # a batch of several partitions goes whole: applied again whole if cancelled
        if not tasks:
            return
        _, late = await asyncio.wait(tasks, timeout=self.settle_seconds)
        for task in late:
            task.cancel()
        results = await asyncio.gather(*tasks, return_exceptions=True)
        for result in results:
            if isinstance(result, Exception):
                log.error("a partition's batch failed", extra={"consumer": self.name, "error": type(result).__name__})
        if late:
            log.warning("batches cancelled, to be applied again", extra={"consumer": self.name, "count": len(late)})

    async def record_lag(self) -> None:
        for partition in self.consumer.assignment():
            highwater = self.consumer.highwater(partition)
            position = await self.consumer.position(partition) if highwater is not None else None
            if highwater is not None and position is not None:
                telemetry.set_lag(self.name, partition.topic, partition.partition, highwater - position)

    async def on_partitions_revoked(self, revoked: list[TopicPartition]) -> None:
        self.rebalances += 1
        await self.settle(revoked)
        await self.commit_applied(revoked)
        for partition in revoked:  # not kept past the rebalance, even unanswered: the partition may come back here
            self.applied.pop(partition, None)  # fetched again from its committed offset, and applied past it anew

    async def on_partitions_assigned(self, assigned: list[TopicPartition]) -> None:
        return None
