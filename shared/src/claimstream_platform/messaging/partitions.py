"""Each partition's batch on its own: applied, its offset committed and its partition fetched again, while the poll
loop goes on polling and the other partitions go on flowing.

The poll loop hands a fetched batch to a task of its partition and pauses the partition (`consumer.pause`), so
nothing more is fetched from it until that batch is applied: order within a partition is kept, and no partition is
ever applied twice at once. The task applies the batch, commits the partition's offset alone, and resumes the
partition. A partition whose batch is slow, or stuck behind a lock, holds nothing but itself: the others commit,
and the poll loop keeps calling `getmany`, so the member stays in its group (`max_poll_interval_ms`).

A rebalance waits (`on_partitions_revoked`) for the batches of the partitions it takes away, a little while; a
batch still running then is cancelled: its transaction rolls back, its offset is not committed, and the next owner
applies it again (the inbox skips what was applied). So is a batch still running when the consumer stops.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping

from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, ConsumerRecord, TopicPartition
from aiokafka.errors import CommitFailedError, IllegalStateError

from claimstream_platform import faults, telemetry

log = logging.getLogger(__name__)

Records = list[ConsumerRecord[bytes, bytes]]


class PartitionWork(ConsumerRebalanceListener):  # type: ignore[misc]  # aiokafka's abc has no types
    """The running batches of one consumer, a task per partition."""

    def __init__(self, name: str, apply: Callable[[Records], Awaitable[None]], *, settle_seconds: float) -> None:
        self.name = name
        self.apply = apply
        self.settle_seconds = settle_seconds
        self.running: dict[TopicPartition, asyncio.Task[None]] = {}
        self.consumer: AIOKafkaConsumer

    def attach(self, consumer: AIOKafkaConsumer) -> None:
        self.consumer = consumer

    def start(self, batch: Mapping[TopicPartition, Records]) -> None:
        """A task for each partition's fetched records; the partition is paused until they are applied."""
        for partition, records in batch.items():
            if not records:
                continue
            self.consumer.pause(partition)
            if partition in self.running:  # not expected (it was paused): fetch these again once its batch is done
                self.consumer.seek(partition, records[0].offset)
                continue
            self.running[partition] = asyncio.create_task(self._work(partition, records))

    def reap(self) -> None:
        """Forget the finished tasks; a task that failed fails the poll loop (and the worker is started again)."""
        for partition, task in list(self.running.items()):
            if task.done():
                del self.running[partition]
                task.result()

    async def _work(self, partition: TopicPartition, records: Records) -> None:
        await self.apply(records)
        await faults.point(faults.CONSUMER_APPLIED)
        try:
            await self.consumer.commit({partition: records[-1].offset + 1})
        except (CommitFailedError, IllegalStateError):
            # The partition moved to another member during a rebalance: it redelivers, the inbox dedupes.
            log.warning("offset commit lost to a rebalance", extra={"consumer": self.name})
        if partition in self.consumer.assignment():
            self.consumer.resume(partition)

    async def settle(self, partitions: Iterable[TopicPartition] | None = None) -> None:
        """Let the batches of `partitions` (of all, if None) finish for up to `settle_seconds`, then cancel the
        rest: a cancelled batch rolls back, commits no offset, and is applied again by whoever fetches it next."""
        wanted = set(self.running) if partitions is None else set(partitions) & set(self.running)
        tasks = [self.running.pop(partition) for partition in wanted]
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
        await self.settle(revoked)

    async def on_partitions_assigned(self, assigned: list[TopicPartition]) -> None:
        return None
