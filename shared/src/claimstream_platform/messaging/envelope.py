"""CloudEvents 1.0 in the Kafka binary binding: the one module that touches the `cloudevents` package.

Headers carry the attributes (`ce_id`, `ce_type`, `ce_source`, `ce_time`, `ce_subject`, and our lower-case
extensions `tenantid`, `practiceid`, `correlationid`, `causationid`), plus the W3C `traceparent`; the value
is the event's JSON; the key is `<tenant>:<aggregate id>`.

Records are written with the SDK (`to_binary`) and read here directly: in the binary binding the attributes
are just `ce_` headers, and reading them without the SDK's generic event object is several times faster, which
matters on the consumer's hot path.
"""

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from cloudevents.v1.http import CloudEvent
from cloudevents.v1.kafka import KafkaMessage, to_binary
from pydantic import ValidationError

from claimstream_platform.contracts.base import IntegrationEvent, event_class

TYPE_HEADER = "ce_type"
SPEC_HEADERS = ("ce_id", TYPE_HEADER, "ce_source", "ce_specversion")


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


def decode(_key: bytes | None, value: bytes | None, headers: list[tuple[str, bytes]]) -> DecodedEvent:
    """Turn a Kafka record into a validated event, or raise UndecodableEvent with a PHI-free reason. (The key
    only places the record on its partition; the tenant is checked against the payload.)"""
    header_map = dict(headers)
    missing = [name for name in SPEC_HEADERS if name not in header_map]
    if missing:
        raise UndecodableEvent(f"missing CloudEvents headers: {', '.join(missing)}")
    attributes = _attributes(header_map)
    event_type = attributes["type"]
    cls = event_class(event_type)
    if cls is None:
        raise UndecodableEvent(f"unknown event type {event_type}", event_type=event_type)
    event = _validate(cls, value or b"")
    metadata = _metadata(attributes, header_map)
    if str(event.tenant_id) != attributes.get("tenantid"):
        raise UndecodableEvent("tenantid header does not match the payload", event_type=event_type)
    return DecodedEvent(event=event, metadata=metadata)


ATTRIBUTES = tuple(
    (name, f"ce_{name}")
    for name in ("id", "type", "source", "specversion", "time", "tenantid", "correlationid", "causationid")
)


def _attributes(header_map: dict[str, bytes]) -> dict[str, str]:
    """The attributes this runtime reads (the others travel on, unread)."""
    try:
        attributes = {name: value.decode() for name, header in ATTRIBUTES if (value := header_map.get(header))}
    except (UnicodeDecodeError, AttributeError) as error:
        raise UndecodableEvent(f"invalid CloudEvents headers: {type(error).__name__}") from None
    if attributes.get("specversion") != "1.0":
        raise UndecodableEvent("invalid CloudEvents headers: specversion is not 1.0")
    return attributes


def _validate(cls: type[IntegrationEvent], data: bytes) -> IntegrationEvent:
    try:
        return cls.model_validate_json(data)
    except ValidationError as error:
        if any(item["type"] == "json_invalid" for item in error.errors(include_input=False, include_url=False)):
            try:
                json.loads(data)
            except json.JSONDecodeError as bad:
                raise UndecodableEvent(
                    f"payload is not JSON: {bad.msg} at {bad.pos}", event_type=cls.event_type
                ) from None
        problems = "; ".join(
            f"{'.'.join(str(part) for part in item['loc']) or '<root>'}: {item['msg']}"
            for item in error.errors(include_input=False, include_url=False)
        )
        raise UndecodableEvent(f"payload fails {cls.__name__}: {problems}", event_type=cls.event_type) from None


def _metadata(attributes: dict[str, str], header_map: dict[str, bytes]) -> EventMetadata:
    try:
        causation = attributes.get("causationid")
        traceparent = header_map.get("traceparent")
        return EventMetadata(
            event_id=UUID(attributes["id"]),
            source=attributes["source"],
            time=datetime.fromisoformat(attributes["time"]),
            correlation_id=UUID(attributes.get("correlationid") or attributes["id"]),
            causation_id=UUID(causation) if causation else None,
            traceparent=traceparent.decode() if traceparent else None,
        )
    except (KeyError, ValueError, TypeError) as error:
        raise UndecodableEvent(f"invalid envelope attribute: {type(error).__name__}: {error}") from None
