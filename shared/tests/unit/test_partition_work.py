"""The partition work of a consumer (messaging/partitions.py), as its poll loop drives it: `together`, one batch of
every partition fetched and all partitions paused while it runs; the applied batches' offsets committed in one
request once a second, and at once for the partitions a rebalance takes away or at a stop. The consumer here records
what the partition work asks of it; Kafka itself is in shared/tests/integration/test_consumer_together.py."""

import asyncio
import time
from types import SimpleNamespace
from typing import Any

import pytest
from aiokafka import TopicPartition
from claimstream_platform.messaging import partitions
from claimstream_platform.messaging.partitions import ConsumerWedged, PartitionWork

FIRST, SECOND, THIRD = (TopicPartition("events", n) for n in range(3))


class RecordingConsumer:
    """The calls PartitionWork makes of an aiokafka consumer."""

    def __init__(self, *assigned: TopicPartition) -> None:
        self.assigned = set(assigned)
        self.paused: set[TopicPartition] = set()
        self.commits: list[dict[TopicPartition, int]] = []
        self.seeks: dict[TopicPartition, int] = {}
        self.fetch_answered_at: float | None = None  # wall clock, in ms, as aiokafka dates a fetch's answer

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

    def last_poll_timestamp(self, partition: TopicPartition) -> float | None:
        return self.fetch_answered_at


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
    """A broker that never answers a commit (aiokafka retries an unreachable coordinator for ever) until `answers`."""

    def __init__(self, *assigned: TopicPartition) -> None:
        super().__init__(*assigned)
        self.answers = asyncio.Event()

    async def commit(self, offsets: dict[TopicPartition, int]) -> None:
        await self.answers.wait()
        await super().commit(offsets)


def unanswered(*assigned: TopicPartition, wedged_after: float = 0.2) -> tuple[Unanswered, PartitionWork]:
    consumer, applier = Unanswered(*assigned), Applier()
    applier.go.set()
    work = PartitionWork("test", applier, settle_seconds=0.05, wedged_after=wedged_after, gather_seconds=0)
    work.attach(consumer)  # type: ignore[arg-type]
    return consumer, work


async def commit_now(work: PartitionWork) -> None:
    work.committed_at -= partitions.COMMIT_SECONDS
    await work.commit_due()


async def test_a_commit_the_broker_does_not_answer_is_given_up_and_the_stop_finishes() -> None:
    consumer, work = unanswered(FIRST)
    work.start({FIRST: records(4)})
    await asyncio.sleep(0.01)
    async with asyncio.timeout(1):
        await work.stop()
    assert work.applied == {FIRST: 5}  # not committed: the partition's next owner is given its events again


async def test_an_unanswered_commit_is_tried_again_and_a_broker_that_answers_nobody_is_waited_out() -> None:
    consumer, work = unanswered(FIRST)
    work.start({FIRST: records(4, 5)})
    await asyncio.sleep(0.01)
    committing = asyncio.create_task(commit_now(work))
    await asyncio.sleep(0.01)
    work.applied[FIRST] = 9  # a batch applied while the commit waits
    await committing
    assert work.applied == {FIRST: 9}  # kept for the next commit, the newer offset with it

    for _ in range(6):  # longer than `wedged_after`, no fetch answered either: an outage
        await commit_now(work)
    consumer.answers.set()
    await commit_now(work)
    assert consumer.commits == [{FIRST: 9}] and work.applied == {}


async def wedging(wedged_after: float = 0.2) -> tuple[Unanswered, PartitionWork]:
    """A consumer one of whose commits went unanswered while the broker answered its fetches."""
    consumer, work = unanswered(FIRST, SECOND, wedged_after=wedged_after)
    work.start({FIRST: records(4), SECOND: records(7)})
    await asyncio.sleep(0.01)
    consumer.fetch_answered_at = time.time() * 1000
    await commit_now(work)  # not yet a wedge: a coordinator may take a moment to load its groups
    assert work.unanswered_since is not None and work.applied == {FIRST: 5, SECOND: 8}
    return consumer, work


async def test_commits_unanswered_for_a_while_with_fetches_answered_wedge_the_consumer() -> None:
    consumer, work = await wedging(wedged_after=1.0)
    with pytest.raises(ConsumerWedged):
        async with asyncio.timeout(5):
            while True:
                consumer.fetch_answered_at = time.time() * 1000
                await commit_now(work)
    assert consumer.commits == [] and work.applied == {FIRST: 5, SECOND: 8}


async def unanswered_while_fetched(consumer: Unanswered, work: PartitionWork, *offsets: int) -> None:
    """A batch of the first partition applied, the broker answering fetches, and a commit it leaves unanswered."""
    work.start({FIRST: records(*offsets)})
    await asyncio.sleep(0.01)
    consumer.fetch_answered_at = time.time() * 1000
    await commit_now(work)


async def test_an_answered_commit_ends_the_row_towards_a_wedge() -> None:
    consumer, work = await wedging(wedged_after=1.0)
    await asyncio.sleep(0.6)
    consumer.answers.set()
    await commit_now(work)  # answered
    consumer.answers.clear()
    await unanswered_while_fetched(consumer, work, 5)  # a row of its own begins
    await asyncio.sleep(0.5)  # past `wedged_after` since the first row began, not since this one
    await unanswered_while_fetched(consumer, work, 6)
    assert consumer.commits == [{FIRST: 5, SECOND: 8}] and work.applied == {FIRST: 7}


async def test_a_commit_unanswered_with_no_fetch_answered_either_ends_the_row() -> None:
    consumer, work = await wedging(wedged_after=1.0)
    await asyncio.sleep(0.6)
    await commit_now(work)  # no fetch answered since the last commit: an outage
    assert work.unanswered_since is None
    await unanswered_while_fetched(consumer, work, 5)  # a row of its own begins
    await asyncio.sleep(0.5)
    await unanswered_while_fetched(consumer, work, 6)
    assert consumer.commits == [] and work.applied == {FIRST: 7, SECOND: 8}


async def test_a_rebalance_while_a_commit_waits_keeps_nothing_past_it_and_ends_the_row() -> None:
    consumer, work = await wedging()
    consumer.fetch_answered_at = time.time() * 1000
    committing = asyncio.create_task(commit_now(work))
    await asyncio.sleep(0.01)  # the commit waits, its offsets taken out
    await work.on_partitions_revoked([FIRST, SECOND])  # as aiokafka revokes them all, from its own task
    await committing
    assert work.applied == {} and work.unanswered_since is None


async def test_nothing_left_to_commit_ends_the_row_and_a_rebalance_keeps_no_offset_past_it() -> None:
    consumer, work = await wedging()
    consumer.fetch_answered_at = time.time() * 1000
    await work.on_partitions_revoked([FIRST])  # unanswered too, and dropped: fetched again from the committed one
    assert work.applied == {SECOND: 8} and work.unanswered_since is not None
    consumer.assigned = {FIRST}  # the second gone to another member, the first back here
    await commit_now(work)  # nothing of this member's to commit
    await asyncio.sleep(0.25)  # past `wedged_after` since the first unanswered commit
    await commit_now(work)
    assert work.unanswered_since is None and work.applied == {} and consumer.commits == []
