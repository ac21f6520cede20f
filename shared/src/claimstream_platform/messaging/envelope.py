"""CloudEvents 1.0 in the Kafka binary binding: the one module that touches the `cloudevents` package.

Headers carry the attributes (`ce_id`, `ce_type`, `ce_source`, `ce_time`, `ce_subject`, and our lower-case
extensions `tenantid`, `practiceid`, `correlationid`, `causationid`), plus the W3C `traceparent`; the value
is the event's JSON; the key is `<tenant>:<aggregate id>`.
"""

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from cloudevents.v1.http import CloudEvent
from cloudevents.v1.kafka import KafkaMessage, from_binary, to_binary
from pydantic import ValidationError

from claimstream_platform.contracts.base import IntegrationEvent, event_class

SPEC_HEADERS = ("ce_id", "ce_type", "ce_source", "ce_specversion")


@dataclass(frozen=True, slots=True)
class EventMetadata:
    """The envelope attributes that travel beside an event's payload."""

    event_id: UUID
    source: str
    time: datetime
    correlation_id: UUID
    causation_id: UUID | None = None
    traceparent: str | None = None


@dataclass(frozen=True, slots=True)
class DecodedEvent:
    event: IntegrationEvent
    metadata: EventMetadata


class UndecodableEvent(Exception):
    """The record is not a valid claimstream CloudEvent; `reason` is safe to log (no payload values)."""

    def __init__(self, reason: str, *, event_type: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.event_type = event_type


def encode(
    *,
    event_type: str,
    subject: str,
    key: str,
    payload: bytes,
    tenant_id: UUID,
    practice_id: UUID | None,
    metadata: EventMetadata,
) -> KafkaMessage:
    attributes: dict[str, Any] = {
        "id": str(metadata.event_id),
        "type": event_type,
        "source": metadata.source,
        "time": metadata.time.isoformat(),
        "subject": subject,
        "datacontenttype": "application/json",
        "partitionkey": key,
        "tenantid": str(tenant_id),
        "correlationid": str(metadata.correlation_id),
    }
    if practice_id is not None:
        attributes["practiceid"] = str(practice_id)
    if metadata.causation_id is not None:
        attributes["causationid"] = str(metadata.causation_id)
    message = to_binary(CloudEvent(attributes, payload), data_marshaller=lambda data: data)
    if metadata.traceparent:
        message.headers["traceparent"] = metadata.traceparent.encode()
    return message


def encode_event(event: IntegrationEvent, metadata: EventMetadata) -> KafkaMessage:
    return encode(
        event_type=event.event_type,
        subject=event.subject,
        key=event.partition_key,
        payload=event.model_dump_json().encode(),
        tenant_id=event.tenant_id,
        practice_id=event.practice_id,
        metadata=metadata,
    )


def decode(key: bytes | None, value: bytes | None, headers: list[tuple[str, bytes]]) -> DecodedEvent:
    """Turn a Kafka record into a validated event, or raise UndecodableEvent with a PHI-free reason."""
    header_map = dict(headers)
    missing = [name for name in SPEC_HEADERS if name not in header_map]
    if missing:
        raise UndecodableEvent(f"missing CloudEvents headers: {', '.join(missing)}")
    try:
        cloud_event = from_binary(KafkaMessage(header_map, key, value or b""), data_unmarshaller=lambda data: data)
    except Exception as error:  # the SDK raises several unrelated types for bad headers
        raise UndecodableEvent(f"invalid CloudEvents headers: {type(error).__name__}") from None
    event_type = cloud_event["type"]
    cls = event_class(event_type)
    if cls is None:
        raise UndecodableEvent(f"unknown event type {event_type}", event_type=event_type)
    event = _validate(cls, cloud_event.get_data() or b"")
    metadata = _metadata(cloud_event, header_map)
    if str(event.tenant_id) != cloud_event.get("tenantid"):
        raise UndecodableEvent("tenantid header does not match the payload", event_type=event_type)
    return DecodedEvent(event=event, metadata=metadata)


def _validate(cls: type[IntegrationEvent], data: bytes) -> IntegrationEvent:
    try:
        return cls.model_validate(json.loads(data))
    except json.JSONDecodeError as error:
        raise UndecodableEvent(f"payload is not JSON: {error.msg} at {error.pos}", event_type=cls.event_type) from None
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in item['loc']) or '<root>'}: {item['msg']}"
            for item in error.errors(include_input=False, include_url=False)
        )
        raise UndecodableEvent(f"payload fails {cls.__name__}: {problems}", event_type=cls.event_type) from None


def _metadata(cloud_event: CloudEvent, header_map: dict[str, bytes]) -> EventMetadata:
    try:
        causation = cloud_event.get("causationid")
        traceparent = header_map.get("traceparent")
        return EventMetadata(
            event_id=UUID(cloud_event["id"]),
            source=cloud_event["source"],
            time=datetime.fromisoformat(cloud_event["time"]),
            correlation_id=UUID(cloud_event.get("correlationid") or cloud_event["id"]),
            causation_id=UUID(causation) if causation else None,
            traceparent=traceparent.decode() if traceparent else None,
        )
    except (KeyError, ValueError, TypeError) as error:
        raise UndecodableEvent(f"invalid envelope attribute: {type(error).__name__}: {error}") from None
