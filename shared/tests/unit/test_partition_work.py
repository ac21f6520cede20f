"""The partition work of a consumer (messaging/partitions.py), as its poll loop drives it: `together`, one batch of
every partition fetched and all partitions paused while it runs; the applied batches' offsets committed in one
request once a second, and at once for the partitions a rebalance takes away or at a stop. The consumer here records
what the partition work asks of it; Kafka itself is in shared/tests/integration/test_consumer_together.py."""

import asyncio
from types import SimpleNamespace
from typing import Any

from aiokafka import TopicPartition
from claimstream_platform.messaging import partitions
from claimstream_platform.messaging.partitions import PartitionWork

FIRST, SECOND, THIRD = (TopicPartition("events", n) for n in range(3))


class RecordingConsumer:
    """The calls PartitionWork makes of an aiokafka consumer."""

    def __init__(self, *assigned: TopicPartition) -> None:
        self.assigned = set(assigned)
        self.paused: set[TopicPartition] = set()
        self.commits: list[dict[TopicPartition, int]] = []
        self.seeks: dict[TopicPartition, int] = {}

    def assignment(self) -> set[TopicPartition]:
        return set(self.assigned)

    def pause(self, *partitions: TopicPartition) -> None:
        self.paused.update(partitions)

    def resume(self, *partitions: TopicPartition) -> None:
        self.paused.difference_update(partitions)

    def seek(self, partition: TopicPartition, offset: int) -> None:
        self.seeks[partition] = offset

    async def commit(self, offsets: dict[TopicPartition, int]) -> None:
        self.commits.append(dict(offsets))


def records(*offsets: int) -> list[Any]:
    return [SimpleNamespace(offset=offset) for offset in offsets]


class Applier:
    """Applies what it is given once `go` is set, noting each batch's offsets."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []
        self.go = asyncio.Event()

    async def __call__(self, batch: list[Any]) -> None:
        self.batches.append([record.offset for record in batch])
        await self.go.wait()


def together(consumer: RecordingConsumer, applier: Applier) -> PartitionWork:
    work = PartitionWork("test", applier, settle_seconds=0.05, together=True, gather_seconds=0)
    work.attach(consumer)  # type: ignore[arg-type]
    return work


async def test_one_batch_of_every_partition_fetched_all_paused_and_resumed_once_applied() -> None:
    consumer, applier = RecordingConsumer(FIRST, SECOND, THIRD), Applier()
    work = together(consumer, applier)
    work.start({FIRST: records(4, 5), SECOND: records(9), THIRD: []})
    await asyncio.sleep(0)
    assert applier.batches == [[4, 5, 9]] and consumer.paused == {FIRST, SECOND, THIRD}

    work.start({THIRD: records(1)})  # not expected while all are paused: fetched again once the batch is done
    assert consumer.seeks == {THIRD: 1} and len(applier.batches) == 1

    applier.go.set()
    await asyncio.sleep(0.01)
    work.reap()
    assert consumer.paused == set() and work.running == {}
    assert work.applied == {FIRST: 6, SECOND: 10}  # committed by the poll loop, with the next ones


async def test_applied_offsets_are_committed_in_one_request_once_a_second() -> None:
    consumer, applier = RecordingConsumer(FIRST, SECOND), Applier()
    applier.go.set()
    work = PartitionWork("test", applier, settle_seconds=0.05, gather_seconds=0)
    work.attach(consumer)  # type: ignore[arg-type]
    work.start({FIRST: records(4, 5), SECOND: records(9)})
    await asyncio.sleep(0.01)
    await work.commit_due()
    assert consumer.commits == [] and consumer.paused == set()  # resumed before the offsets were committed

    work.start({FIRST: records(6)})
    await asyncio.sleep(0.01)
    work.committed_at -= partitions.COMMIT_SECONDS
    await work.commit_due()
    await work.commit_due()
    assert consumer.commits == [{FIRST: 7, SECOND: 10}] and work.applied == {}


async def test_a_rebalance_commits_what_it_takes_away_and_the_stop_the_rest_but_never_a_partition_gone() -> None:
    consumer, applier = RecordingConsumer(FIRST, SECOND, THIRD), Applier()
    applier.go.set()
    work = PartitionWork("test", applier, settle_seconds=0.05, gather_seconds=0)
    work.attach(consumer)  # type: ignore[arg-type]
    work.start({FIRST: records(4), SECOND: records(9), THIRD: records(2)})
    await asyncio.sleep(0.01)

    await work.on_partitions_revoked([FIRST])
    assert consumer.commits == [{FIRST: 5}]
    consumer.assigned = {SECOND}  # the third went to another member without this one's commit
    await work.stop()
    assert consumer.commits == [{FIRST: 5}, {SECOND: 10}] and work.applied == {}


async def test_a_batch_cancelled_by_a_rebalance_of_some_of_its_partitions_leaves_the_others_to_fetch_it_again() -> None:
    consumer, applier = RecordingConsumer(FIRST, SECOND), Applier()
    work = together(consumer, applier)
    work.start({FIRST: records(4, 5), SECOND: records(9)})
    await asyncio.sleep(0)

    consumer.assigned = {SECOND}  # a rebalance that takes the first partition only, while the batch runs
    await work.on_partitions_revoked([FIRST])  # waits a little, then cancels the whole batch
    assert consumer.commits == [] and work.running == {}
    assert consumer.seeks == {SECOND: 9} and consumer.paused.isdisjoint({SECOND})


async def test_a_partition_rests_after_its_batch_so_that_the_next_gathers_what_arrives_meanwhile() -> None:
    consumer, applier = RecordingConsumer(FIRST, SECOND), Applier()
    applier.go.set()
    work = PartitionWork("test", applier, settle_seconds=0.05, gather_seconds=0.5)
    work.attach(consumer, max_records=2)  # type: ignore[arg-type]
    work.start({FIRST: records(4), SECOND: records(7, 8)})
    await asyncio.sleep(0.1)
    assert work.applied == {FIRST: 5, SECOND: 9} and consumer.paused == {FIRST}  # applied; the first rests
    await asyncio.sleep(0.6)
    assert consumer.paused == set()  # the second's batch was full (a backlog): fetched again at once


class Unanswered(RecordingConsumer):
    """A broker that never answers a commit (aiokafka retries an unreachable coordinator for ever)."""

    async def commit(self, offsets: dict[TopicPartition, int]) -> None:
        await asyncio.Event().wait()


async def test_a_commit_the_broker_does_not_answer_is_given_up_and_the_stop_finishes() -> None:
    consumer, applier = Unanswered(FIRST), Applier()
    applier.go.set()
    work = PartitionWork("test", applier, settle_seconds=0.05, gather_seconds=0)
    work.attach(consumer)  # type: ignore[arg-type]
    work.start({FIRST: records(4)})
    await asyncio.sleep(0.01)
    async with asyncio.timeout(1):
        await work.stop()
    assert work.applied == {}  # dropped: the partition's next owner is given its events again, the inbox skips them
