from datetime import UTC, datetime
from decimal import Decimal
from uuid import uuid4

import pytest
from aiokafka import ConsumerRecord
from claimstream_platform.messaging.envelope import EventMetadata, UndecodableEvent, decode, encode_event
from claimstream_platform.messaging.subscriptions import decode_subscribed
from example.service import EntryRecorded


def an_event() -> EntryRecorded:
    return EntryRecorded(tenant_id=uuid4(), practice_id=uuid4(), entry_id=uuid4(), amount=Decimal("150.25"))


def metadata() -> EventMetadata:
    return EventMetadata(
        event_id=uuid4(),
        source="example-ledger",
        time=datetime.now(UTC),
        correlation_id=uuid4(),
        causation_id=uuid4(),
        traceparent="00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
    )


def headers_of(message) -> list[tuple[str, bytes]]:
    return list(message.headers.items())


def test_an_event_survives_the_kafka_binary_binding_unchanged() -> None:
    event, meta = an_event(), metadata()
    message = encode_event(event, meta)
    decoded = decode(message.key.encode(), message.value, headers_of(message))
    assert decoded.event == event
    assert decoded.event.amount == Decimal("150.25")  # money stays exact
    assert decoded.metadata == meta


def test_the_envelope_uses_cloudevents_headers_and_the_aggregate_key() -> None:
    event = an_event()
    message = encode_event(event, metadata())
    assert message.key == f"{event.tenant_id}:{event.entry_id}"
    assert message.headers["ce_specversion"] == b"1.0"
    assert message.headers["ce_type"] == b"claimstream.example.entry-recorded.v1"
    assert message.headers["ce_subject"] == str(event.entry_id).encode()
    assert message.headers["ce_tenantid"] == str(event.tenant_id).encode()
    assert message.headers["ce_practiceid"] == str(event.practice_id).encode()
    assert message.headers["content-type"] == b"application/json"
    assert message.headers["traceparent"].startswith(b"00-0af7651916cd43dd")


def test_a_payload_that_fails_its_schema_is_refused_with_the_field_but_not_the_value() -> None:
    message = encode_event(an_event(), metadata())
    with pytest.raises(UndecodableEvent) as refused:
        decode(
            None,
            b'{"tenant_id": "' + message.headers["ce_tenantid"] + b'", "entry_id": "SSN 123-45-6789"}',
            headers_of(message),
        )
    assert refused.value.reason.startswith("payload fails EntryRecorded:")
    assert "entry_id: Input should be a valid UUID" in refused.value.reason
    assert "amount: Field required" in refused.value.reason
    assert "123-45-6789" not in refused.value.reason


def test_unknown_fields_from_a_newer_producer_are_ignored() -> None:
    event = an_event()
    message = encode_event(event, metadata())
    enriched = message.value[:-1] + b', "added_in_v2": true}'
    assert decode(None, enriched, headers_of(message)).event == event


@pytest.mark.parametrize("missing", ["ce_id", "ce_type", "ce_source", "ce_specversion"])
def test_a_record_without_a_required_attribute_is_undecodable(missing: str) -> None:
    message = encode_event(an_event(), metadata())
    headers = [(k, v) for k, v in headers_of(message) if k != missing]
    with pytest.raises(UndecodableEvent, match=f"missing CloudEvents headers: {missing}"):
        decode(None, message.value, headers)


def _record(value: bytes, headers: list[tuple[str, bytes]]) -> ConsumerRecord[bytes, bytes]:
    return ConsumerRecord("t", 0, 0, 0, 0, None, value, None, len(value), -1, headers)


async def _handler(_event: object, _uow: object) -> None:
    return None


def test_a_consumer_decodes_what_it_subscribes_to_and_passes_over_other_known_types() -> None:
    message = encode_event(an_event(), metadata())
    bad = _record(b'{"tenant_id": "nope"}', headers_of(message))  # a known type that fails its schema
    good = _record(message.value, headers_of(message))
    untyped = _record(message.value, [h for h in headers_of(message) if h[0] != "ce_type"])
    decoded, dead = decode_subscribed([good, bad, untyped], {EntryRecorded: _handler})
    assert [record for record, _ in decoded] == [good]
    assert [(letter.record, letter.kind) for letter in dead] == [(bad, "decode"), (untyped, "decode")]
    decoded, dead = decode_subscribed([good, bad, untyped], {})  # subscribes to none: the bad one is not its own
    assert decoded == []
    assert [letter.record for letter in dead] == [untyped]  # a record of no known type is still dead-lettered
