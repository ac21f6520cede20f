"""JSON log lines with trace and correlation ids, passed through a redaction step so PHI never lands.

Redaction works two ways: fields whose names are known to carry PHI are masked whatever their value,
and free text is scrubbed of X12 segments, dates and long digit runs (member ids, SSNs).
"""

import json
import logging
import re
from datetime import UTC, datetime
from typing import Any

from claimstream_platform.context import current_context, trace_ids

REDACTED = "[redacted]"
PHI_FIELDS = frozenset(
    {
        "first_name",
        "last_name",
        "name",
        "patient",
        "subscriber",
        "birth_date",
        "dob",
        "date_of_birth",
        "member_id",
        "subscriber_id",
        "ssn",
        "address",
        "address1",
        "address2",
        "city",
        "zip",
        "postal_code",
        "phone",
        "email",
        "diagnoses",
        "diagnosis",
        "diagnosis_codes",
        "x12",
        "body",
        "payload",
        "group_number",
    }
)
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None)).keys()) | {"message", "asctime", "taskName"}
_TEXT_PATTERNS = [
    re.compile(r"(ISA|GS|ST|NM1|N3|N4|DMG|HI|CLM|SV1|CLP|SVC|SBR|REF|DTP)\*[^~\n]*~?"),  # X12 segments
    re.compile(r"\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b"),  # dates (birth dates)
    re.compile(r"\b\d{3}-\d{2}-\d{4}\b"),  # SSN
    re.compile(r"(?<![\w-])[A-Z0-9]{0,3}\d{6,}[A-Z0-9]*(?![\w-])"),  # member ids; not a UUID's last group
]


def redact_text(text: str) -> str:
    for pattern in _TEXT_PATTERNS:
        text = pattern.sub(REDACTED, text)
    return text


def redact_value(key: str, value: Any) -> Any:
    if key.lower() in PHI_FIELDS:
        return REDACTED
    if isinstance(value, dict):
        return {k: redact_value(str(k), v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact_value(key, v) for v in value]
    if isinstance(value, str):
        return redact_text(value)
    return value


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        trace_id, span_id = trace_ids()
        context = current_context()
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": redact_text(record.getMessage()),
        }
        if trace_id:
            line["trace_id"], line["span_id"] = trace_id, span_id
        if context.correlation_id:
            line["correlation_id"] = str(context.correlation_id)
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                line[key] = redact_value(key, value)
        if record.exc_info and record.exc_info[0] is not None:
            # The exception type only: exception messages may quote input values.
            line["exception"] = record.exc_info[0].__name__
        return json.dumps(line, default=str)
