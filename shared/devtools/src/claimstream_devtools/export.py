"""Writes every registered event's JSON Schema, and an AsyncAPI 3.0 document of the topics, to a folder."""

import json
from pathlib import Path
from typing import Any

from claimstream_platform.contracts.base import IntegrationEvent, registered_events

ENVELOPE_HEADERS = {
    "type": "object",
    "description": "CloudEvents 1.0, Kafka binary binding; the key is '<tenant id>:<aggregate id>'.",
    "properties": {
        name: {"type": "string"}
        for name in (
            "ce_specversion",
            "ce_id",
            "ce_type",
            "ce_source",
            "ce_time",
            "ce_subject",
            "content-type",
            "ce_tenantid",
            "ce_practiceid",
            "ce_correlationid",
            "ce_causationid",
            "traceparent",
        )
    },
    "required": ["ce_specversion", "ce_id", "ce_type", "ce_source", "ce_tenantid"],
}


def export(folder: Path) -> list[Path]:
    """Each product contract's JSON Schema, then the AsyncAPI document that names them; the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    channels: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for event_type, cls in sorted(registered_events().items()):
        if not cls.__module__.startswith("claimstream_platform.contracts."):
            continue  # an example or a test's own event, not a contract of the product
        path = folder / f"{event_type}.json"
        path.write_text(json.dumps(cls.model_json_schema(), indent=2, sort_keys=True) + "\n")
        written.append(path)
        messages[cls.__name__] = _message(event_type, cls, path)
        channel = channels.setdefault(cls.topic, {"address": cls.topic, "messages": {}})
        channel["messages"][cls.__name__] = {"$ref": f"#/components/messages/{cls.__name__}"}
    path = folder / "asyncapi.json"
    path.write_text(json.dumps(_asyncapi(channels, messages), indent=2, sort_keys=True) + "\n")
    return [*written, path]


def _message(event_type: str, cls: type[IntegrationEvent], schema: Path) -> dict[str, Any]:
    return {
        "name": event_type,
        "title": cls.__name__,
        "summary": (cls.__doc__ or "").strip().splitlines()[0] if cls.__doc__ else "",
        "headers": ENVELOPE_HEADERS,
        "payload": {"$ref": f"./{schema.name}"},
    }


def _asyncapi(channels: dict[str, Any], messages: dict[str, Any]) -> dict[str, Any]:
    operations = {  # each topic's producer sends every message of its channel
        f"send-{topic}": {
            "action": "send",
            "channel": {"$ref": f"#/channels/{topic}"},
            "messages": [{"$ref": f"#/channels/{topic}/messages/{name}"} for name in channel["messages"]],
        }
        for topic, channel in sorted(channels.items())
    }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "claimstream events",
            "version": "1",
            "description": "Every claim-lifecycle event; `make schemas` writes this folder.",
        },
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages},
    }
