"""The worker's parts outlive their failures: a dead-letter send that fails is retried, a crashed worker is
started again without stopping the others, and a hung handler is cut off (then dead-lettered as a failure)."""

import asyncio
from datetime import UTC, datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any
from uuid import uuid4

import pytest
from aiokafka import ConsumerRecord
from claimstream_platform.messaging.consumer import Consumer, DeadLetter, HandlerTimedOut, run_until_stopped
from claimstream_platform.messaging.envelope import DecodedEvent, EventMetadata
from example.service import EntryRecorded


class FlakyProducer:
    """Refuses the first `failures` sends, as a broker that is restarting would."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.sent: list[str] = []

    async def send_and_wait(self, topic: str, **_: Any) -> None:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("broker restarting")
        self.sent.append(topic)


def consumer(**changes: Any) -> Consumer:
    fields: dict[str, Any] = {
        "name": "test",
        "subscriptions": {},
        "sessionmaker": None,
        "bootstrap_servers": "",
        "max_backoff": 0.01,
        **changes,
    }
    return Consumer(**fields)


async def test_a_failed_dead_letter_send_is_retried_until_the_broker_takes_it() -> None:
    record = ConsumerRecord("ledger.v1", 0, 7, 0, 0, b"k", b"v", None, 1, 1, [])
    producer = FlakyProducer(failures=3)
    await consumer()._dead_letter(producer, DeadLetter(record, "decode", "bad"))  # type: ignore[arg-type]
    assert producer.sent == ["ledger.v1.dlq"]


class CrashingWorker:
    def __init__(self, crashes: int) -> None:
        self.crashes = crashes
        self.runs = 0
        self.stopped = asyncio.Event()

    async def run(self) -> None:
        self.runs += 1
        if self.crashes:
            self.crashes -= 1
            raise RuntimeError("boom")
        await self.stopped.wait()

    def stop(self) -> None:
        self.stopped.set()


async def test_a_crashing_worker_is_restarted_and_the_others_keep_running() -> None:
    crashing, steady = CrashingWorker(crashes=2), CrashingWorker(crashes=0)
    running = asyncio.create_task(run_until_stopped(crashing, steady, first_backoff=0.01))
    for _ in range(200):
        if crashing.runs == 3:
            break
        await asyncio.sleep(0.01)
    assert (crashing.runs, steady.runs, running.done()) == (3, 1, False)
    crashing.stop()
    steady.stop()
    await asyncio.wait_for(running, timeout=5)


class LibraryCancelled:
    """A worker whose run ends in the cancellation of a task it awaited, as aiokafka 0.14's consumer `stop()` raises
    when it cancels a fetch that was sleeping out a failed request (its broker gone)."""

    def __init__(self) -> None:
        self.runs = 0
        self.stopped = asyncio.Event()

    async def run(self) -> None:
        self.runs += 1
        if self.runs == 1:
            inner = asyncio.create_task(asyncio.sleep(60))
            await asyncio.sleep(0)
            inner.cancel()
            await inner  # raises CancelledError in run(), though nobody cancelled the worker
        await self.stopped.wait()

    def stop(self) -> None:
        self.stopped.set()


async def test_a_worker_ended_by_a_library_tasks_cancellation_is_restarted_and_a_real_cancel_still_stops_it() -> None:
    worker = LibraryCancelled()
    running = asyncio.create_task(run_until_stopped(worker, first_backoff=0.01))
    for _ in range(200):
        if worker.runs == 2:
            break
        await asyncio.sleep(0.01)
    assert (worker.runs, running.done()) == (2, False)
    running.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(running, timeout=5)


class CleanupFails:
    """A worker whose clean-up, on being stopped, fails: the cancellation turns into an error."""

    def __init__(self) -> None:
        self.runs = 0

    async def run(self) -> None:
        self.runs += 1
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            raise RuntimeError("could not leave the group") from None

    def stop(self) -> None:
        return None


async def test_a_worker_stopped_while_its_clean_up_fails_is_not_started_again() -> None:
    worker = CleanupFails()
    running = asyncio.create_task(run_until_stopped(worker, first_backoff=0.01))
    await asyncio.sleep(0.05)
    running.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(running, timeout=5)
    assert worker.runs == 1


class StoppingClient:
    """A Kafka client whose `stop()` misbehaves as aiokafka's can once its broker is gone, leaving a fetch pending
    and its connections open."""

    def __init__(self, how: str) -> None:
        self.how = how
        self._fetcher = SimpleNamespace(_pending_tasks={asyncio.create_task(asyncio.sleep(60))}, _fetch_task=None)
        self._client = self
        self.closed = False

    async def close(self) -> None:
        self.closed = True

    async def stop(self) -> None:
        if self.how == "hangs":
            await asyncio.sleep(60)
        inner = asyncio.create_task(asyncio.sleep(60))
        await asyncio.sleep(0)
        inner.cancel()
        await inner


@pytest.mark.parametrize("how", ["hangs", "raises its fetch's cancellation"])
async def test_a_kafka_client_that_cannot_stop_is_dropped_within_its_time(how: str) -> None:
    from claimstream_platform.messaging.kafka import stop_client

    started, client = asyncio.get_running_loop().time(), StoppingClient(how)
    await stop_client(client, seconds=0.2)  # type: ignore[arg-type]
    assert asyncio.get_running_loop().time() - started < 1
    [fetch] = client._fetcher._pending_tasks
    assert fetch.cancelled() and client.closed  # what its stop left undone, done


async def test_stopping_a_kafka_client_gives_way_to_a_cancel_of_its_caller() -> None:
    from claimstream_platform.messaging.kafka import stop_client

    stopping = asyncio.create_task(stop_client(StoppingClient("hangs"), seconds=30))  # type: ignore[arg-type]
    await asyncio.sleep(0.05)
    stopping.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(stopping, timeout=5)


class _NoDatabase:
    """A unit of work for a handler that never reaches the database: it is told the event's tenant, no more."""

    async def act_for(self, _tenancy: Any) -> None:
        return None


async def test_a_handler_that_hangs_is_cut_off() -> None:
    async def hang(_event: Any, _uow: Any) -> None:
        await asyncio.sleep(60)

    slow = consumer(subscriptions={EntryRecorded: hang}, handler_timeout=0.05)
    event = EntryRecorded(tenant_id=uuid4(), practice_id=uuid4(), entry_id=uuid4(), amount=Decimal("1"))
    metadata = EventMetadata(event_id=uuid4(), source="test", time=datetime.now(UTC), correlation_id=uuid4())
    with pytest.raises(HandlerTimedOut):
        await slow._handle([DecodedEvent(event, metadata)], _NoDatabase())  # type: ignore[arg-type]


async def test_pool_timeouts_and_shutdowns_answer_503_with_retry_after_and_data_errors_422() -> None:
    from claimstream_platform.engines import is_transient
    from claimstream_platform.problems import _unavailable
    from sqlalchemy.exc import DBAPIError
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    class Orig(Exception):
        def __init__(self, sqlstate: str) -> None:
            super().__init__(sqlstate)
            self.sqlstate = sqlstate

    shutdown = DBAPIError("SELECT 1", {}, Orig("57P01"))  # admin shutdown, as in a fast restart
    out_of_range = DBAPIError("SELECT 1", {}, Orig("22003"))
    assert is_transient(PoolTimeout()) and is_transient(shutdown) and not is_transient(out_of_range)
    for error, status in ((PoolTimeout(), 503), (shutdown, 503), (out_of_range, 422)):
        response = await _unavailable(None, error)  # type: ignore[arg-type]
        assert response.status_code == status
        assert (response.headers.get("retry-after") is not None) is (status == 503)


class _Orig(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


@pytest.mark.parametrize(
    ("sqlstate", "outage"),
    [
        ("08006", True),  # connection failure
        ("57P01", True),  # admin shutdown
        ("57P03", True),  # cannot connect now
        ("53300", True),  # too many connections
        ("57014", False),  # statement timeout: the event's work
        ("55P03", False),  # lock timeout
        ("53100", False),  # disk full
        ("53200", False),  # out of memory
        ("40P01", True),  # deadlock: a lost race, the batch goes again
        ("40001", True),  # serialization failure: likewise
        ("23505", False),  # a unique violation
    ],
)
def test_an_outage_or_a_lost_race_is_told_from_a_failure_of_the_events_work(sqlstate: str, outage: bool) -> None:
    from claimstream_platform.messaging.failures import not_the_events_fault
    from sqlalchemy.exc import DBAPIError

    assert not_the_events_fault(DBAPIError("SELECT 1", {}, _Orig(sqlstate))) is outage


def test_a_refused_connection_is_an_outage_and_a_timeout_is_not() -> None:
    from claimstream_platform.messaging.failures import is_outage, worth_waiting
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    assert is_outage(ConnectionRefusedError()) and is_outage(PoolTimeout())
    assert not is_outage(TimeoutError()) and not is_outage(HandlerTimedOut("slow"))  # counted against the event
    assert worth_waiting(TimeoutError()) and worth_waiting(HandlerTimedOut("slow"))  # its attempts are spaced
    assert not worth_waiting(ValueError())


class _Client:
    def __init__(self, answers: bool, topics: set[str]) -> None:
        self.answers = answers
        self.cluster = self
        self._topics = topics

    async def force_metadata_update(self) -> bool:
        return self.answers

    def topics(self) -> set[str]:
        return self._topics


class _Producer:
    def __init__(self, answers: bool, topics: set[str]) -> None:
        self.client = _Client(answers, topics)


async def test_only_a_row_kafka_will_never_take_is_quarantined_and_an_unreachable_broker_is_waited_for() -> None:
    from aiokafka.errors import KafkaConnectionError, MessageSizeTooLargeError, UnknownTopicOrPartitionError
    from claimstream_platform.messaging.outbox import _refusal

    up, down = _Producer(True, {"other.v1"}), _Producer(False, set())
    assert await _refusal(up, "t.v1", MessageSizeTooLargeError()) == "MessageSizeTooLargeError: refused by Kafka"  # type: ignore[arg-type]
    unknown = "UnknownTopicOrPartitionError: the topic does not exist"
    assert await _refusal(up, "t.v1", UnknownTopicOrPartitionError()) == unknown  # type: ignore[arg-type]
    with pytest.raises(UnknownTopicOrPartitionError):  # no answer: every topic looks unknown, so wait
        await _refusal(down, "t.v1", UnknownTopicOrPartitionError())  # type: ignore[arg-type]
    with pytest.raises(UnknownTopicOrPartitionError):  # the topic is there after all (its leader moved)
        await _refusal(_Producer(True, {"t.v1"}), "t.v1", UnknownTopicOrPartitionError())  # type: ignore[arg-type]
    with pytest.raises(KafkaConnectionError):
        await _refusal(up, "t.v1", KafkaConnectionError())  # type: ignore[arg-type]
