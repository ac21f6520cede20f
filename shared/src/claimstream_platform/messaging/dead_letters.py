"""Dead letters: a record that cannot be decoded, or whose handler keeps failing, goes to `<topic>.dlq` as it
came, with the reason (never a payload value) and its origin in headers. The consumer commits the record's offset
only after the broker took the dead letter, so the send is retried until it succeeds or the consumer stops."""

import asyncio
import logging
from dataclasses import dataclass

from aiokafka import AIOKafkaProducer, ConsumerRecord

from claimstream_platform import telemetry
from claimstream_platform.errors import DomainError
from claimstream_platform.messaging.kafka import dead_letter_topic

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DeadLetter:
    record: ConsumerRecord[bytes, bytes]
    kind: str  # "decode", "practice" (not its tenant's: practice_check) or "handler"
    reason: str


def safe_reason(error: BaseException) -> str:
    """A dead-letter reason without payload values: domain errors carry vetted text, others only a type."""
    if isinstance(error, DomainError):
        return f"{type(error).__name__}: {error.detail}"
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
