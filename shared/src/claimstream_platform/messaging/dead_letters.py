"""Dead letters: a record that cannot be decoded, or whose handler keeps failing, goes to `<topic>.dlq` as it
came, with the reason (never a payload value) and its origin in headers. The consumer commits the record's offset
only after the broker took the dead letter, so the send is retried until it succeeds or the consumer stops."""

import asyncio
import logging
from dataclasses import dataclass

from aiokafka import AIOKafkaProducer, ConsumerRecord
from sqlalchemy.exc import DBAPIError

from claimstream_platform import telemetry
from claimstream_platform.errors import DomainError
from claimstream_platform.messaging.failures import HandlerTimedOut
from claimstream_platform.messaging.kafka import dead_letter_topic

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DeadLetter:
    record: ConsumerRecord[bytes, bytes]
    kind: str  # "decode", "practice" (not its tenant's: practice_check) or "handler"
    reason: str


# What an operator reads in a reason for the SQLSTATEs an event's work may keep hitting (messaging/failures.py).
_SQLSTATES = {
    "57014": "statement timeout",
    "55P03": "lock not available",
    "40001": "serialization failure",
    "40P01": "deadlock",
    "53100": "disk full",
    "53200": "out of memory",
    "53400": "configuration limit exceeded",
}


def safe_reason(error: BaseException) -> str:
    """A dead-letter reason without payload values: domain errors and handler timeouts carry vetted text, database
    errors their SQLSTATE, others only a type."""
    if isinstance(error, DomainError):
        return f"{type(error).__name__}: {error.detail}"
    if isinstance(error, HandlerTimedOut):
        return f"{type(error).__name__}: {error}"
    if isinstance(error, TimeoutError):
        return "TimeoutError: a command ran past its time limit"
    state = getattr(getattr(error, "orig", None), "sqlstate", None) if isinstance(error, DBAPIError) else None
    if state:
        return f"{type(error).__name__}: SQLSTATE {state} {_SQLSTATES.get(state, '')}".rstrip()
    return type(error).__name__


async def send_dead_letter(
    producer: AIOKafkaProducer, letter: DeadLetter, *, consumer: str, stopping: asyncio.Event, max_backoff: float
) -> None:
    record = letter.record
    headers = list(record.headers) + [
        ("dlq_reason", letter.reason.encode()[:2000]),
        ("dlq_kind", letter.kind.encode()),
        ("dlq_consumer", consumer.encode()),
        ("dlq_topic", record.topic.encode()),
        ("dlq_partition", str(record.partition).encode()),
        ("dlq_offset", str(record.offset).encode()),
    ]
    backoff = 0.2
    while True:
        try:
            await producer.send_and_wait(
                dead_letter_topic(record.topic), value=record.value, key=record.key, headers=headers
            )
            break
        except Exception as error:
            if stopping.is_set():
                raise
            log.warning(
                "dead-letter send failed; retrying", extra={"consumer": consumer, "error": type(error).__name__}
            )
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, max_backoff)
    telemetry.DEAD_LETTERS.add(1, {"consumer": consumer, "kind": letter.kind})
    log.error(
        "event dead-lettered",
        extra={
            "consumer": consumer,
            "topic": record.topic,
            "partition": record.partition,
            "offset": record.offset,
            "kind": letter.kind,
        },
    )
