"""An idle outbox relay is woken by the commit that writes its rows (messaging/wakeup.py): it publishes them at once
and, while nothing is written, asks the table only at its fallback pace."""

import asyncio
import time
from uuid import uuid4

from aiokafka import AIOKafkaProducer
from claimstream_devtools.testing import StackUnderTest
from claimstream_platform.messaging.kafka import ensure_topics
from claimstream_platform.messaging.outbox import OutboxRelay
from claimstream_platform.messaging.wakeup import Wakeup
from example.harness import record, tenant_records
from example.service import TOPIC
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

FALLBACK = 60.0  # longer than the test: whatever it publishes, a wakeup brought


class CountingRelay(OutboxRelay):
    polls = 0

    async def publish_batch(self, producer: AIOKafkaProducer) -> int:
        self.polls += 1
        return await super().publish_batch(producer)


async def woken_relay(
    stack: StackUnderTest, engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession], gather: float = 0.0
) -> CountingRelay:
    """A relay that only commits wake (its fallback is longer than the test), on the example's topic."""
    await ensure_topics(stack.bootstrap_servers, [TOPIC])
    return CountingRelay(
        sessionmaker=sessionmaker,
        bootstrap_servers=stack.bootstrap_servers,
        source="example-ledger",
        wakeup=Wakeup(engine),
        idle_fallback=FALLBACK,
        gather=gather,
    )


async def settled(relay: CountingRelay) -> None:
    """Until the relay has made no pass for a second (bounded): a pass woken by its start, or by the commit before,
    that comes late is not counted against the next commit."""
    deadline, seen = time.monotonic() + 10, -1
    while relay.polls != seen and time.monotonic() < deadline:
        seen = relay.polls
        await asyncio.sleep(1.0)


async def test_an_idle_relay_publishes_a_commit_at_once_and_seldom_asks_the_table(
    stack: StackUnderTest, engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    relay = await woken_relay(stack, engine, sessionmaker)
    running = asyncio.create_task(relay.run())
    try:
        published, polls = [], 0
        for tenant in (uuid4(), uuid4()):  # the first also waits for the relay to start
            await settled(relay)
            started, polls = time.monotonic(), relay.polls
            await record(sessionmaker, tenant, count=3)
            while not (published := await tenant_records(stack, tenant)) and time.monotonic() - started < 20:
                await asyncio.sleep(0.1)
            assert len(published) == 3, "a commit woke the relay, well before its fallback"
        await asyncio.sleep(2)  # idle: the relay waits for a commit, not for its next poll
        # One pass for the commit: a batch shorter than the relay's read the table to its end, so no pass after it
        # asks again (it did, for every commit of every service), and none while idle (every 50 ms before).
        assert relay.polls - polls == 1, relay.polls - polls
    finally:
        relay.stop()
        await asyncio.wait_for(running, 10)


async def test_commits_a_moment_apart_go_in_one_pass(
    stack: StackUnderTest, engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    """A relay woken by a commit gives the next moment's commits time to join its pass (`gather`): an API's commits a
    few milliseconds apart no longer cost a pass each."""
    relay = await woken_relay(stack, engine, sessionmaker, gather=1.0)  # longer than three commits take, even busy
    running = asyncio.create_task(relay.run())
    try:
        await settled(relay)
        polls, tenant = relay.polls, uuid4()
        for _ in range(3):
            await record(sessionmaker, tenant)  # three transactions, each committed alone
        started = time.monotonic()
        while len(await tenant_records(stack, tenant)) < 3 and time.monotonic() - started < 20:
            await asyncio.sleep(0.1)
        await asyncio.sleep(1.5)  # any pass after the one that published them
        assert len(await tenant_records(stack, tenant)) == 3
        assert relay.polls - polls == 1, relay.polls - polls
    finally:
        relay.stop()
        await asyncio.wait_for(running, 10)
