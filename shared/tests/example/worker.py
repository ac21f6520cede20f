"""`python -m example.worker`: the example ledger's consumer, as its own process (for kill tests).

Reads DATABASE_URL, DATABASE_SCHEMA, KAFKA_BOOTSTRAP_SERVERS and CONSUMER_GROUP; with HANDLER_DELAY it
sleeps that many seconds per event, so a test can kill it in the middle of a batch.
"""

import asyncio
import os
import signal

from claimstream_platform.db import UnitOfWork
from claimstream_platform.engines import create_engine
from claimstream_platform.messaging.consumer import Consumer
from sqlalchemy.ext.asyncio import async_sessionmaker

from example.service import SUBSCRIPTIONS, EntryRecorded


async def main() -> None:
    engine = create_engine(os.environ["DATABASE_URL"], schema=os.environ["DATABASE_SCHEMA"])
    delay = float(os.environ.get("HANDLER_DELAY", "0"))

    async def slow_apply(event: EntryRecorded, uow: UnitOfWork) -> None:
        await asyncio.sleep(delay)
        await SUBSCRIPTIONS[EntryRecorded](event, uow)

    consumer = Consumer(
        name=os.environ["CONSUMER_GROUP"],
        subscriptions={EntryRecorded: slow_apply},
        sessionmaker=async_sessionmaker(engine, expire_on_commit=False),
        bootstrap_servers=os.environ["KAFKA_BOOTSTRAP_SERVERS"],
        batch_size=int(os.environ.get("BATCH_SIZE", "100")),
        session_timeout_ms=int(os.environ.get("SESSION_TIMEOUT_MS", "30000")),
    )
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, consumer.stop)
    try:
        await consumer.run()
    finally:
        await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main())
