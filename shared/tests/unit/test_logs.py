import json
import logging

from claimstream_platform.logs import JsonFormatter, redact_text


def formatted(message: str, **extra: object) -> dict:
    record = logging.LogRecord("test", logging.INFO, __file__, 1, message, None, None)
    for key, value in extra.items():
        setattr(record, key, value)
    return json.loads(JsonFormatter().format(record))


def test_phi_fields_are_masked_whatever_their_value() -> None:
    line = formatted("posted", patient={"first_name": "Ada"}, member_id="XYZ", birth_date="1970-01-01", consumer="ok")
    assert line["patient"] == line["member_id"] == line["birth_date"] == "[redacted]"
    assert line["consumer"] == "ok"


def test_x12_segments_dates_and_member_ids_are_scrubbed_from_free_text() -> None:
    text = redact_text("got NM1*IL*1*DOE*JANE****MI*W123456789~ born 02/03/1980 ssn 123-45-6789 id ABC12345678")
    assert "DOE" not in text and "1980" not in text and "6789" not in text and "12345678" not in text


def test_uuids_survive_redaction() -> None:
    event_id = "550e8400-e29b-41d4-a716-446655440000"
    assert redact_text(f"event {event_id} applied") == f"event {event_id} applied"


def test_an_exception_is_logged_by_type_not_by_message() -> None:
    try:
        raise ValueError("member W123 Jane Doe")
    except ValueError:
        import sys

        record = logging.LogRecord("t", logging.ERROR, __file__, 1, "failed", None, sys.exc_info())
    line = json.loads(JsonFormatter().format(record))
    assert line["exception"] == "ValueError"
    assert "Jane" not in json.dumps(line)
