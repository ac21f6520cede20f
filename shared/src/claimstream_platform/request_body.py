"""Reading a request's body within a cap, and the control characters no route may see (path, query, JSON body)."""

import json
import re
from urllib.parse import parse_qsl

from fastapi.responses import JSONResponse
from starlette.types import Message, Receive, Scope

from claimstream_platform.problems import problem
from claimstream_platform.x12.text import CONTROL


async def read_body(headers: dict[bytes, bytes], receive: Receive, cap: int) -> bytes | None:
    """The whole body, or None as soon as it passes the cap (the rest is never read)."""
    length = headers.get(b"content-length")
    if length is not None and (not length.isdigit() or int(length) > cap):
        return None
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break  # the client went away; the route sees an empty body and the disconnect
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > cap:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def too_large(cap: int) -> JSONResponse:
    return problem(413, "Body too large", slug="body-too-large", detail=f"the limit is {cap} bytes")


def replay(body: bytes, upstream: Receive) -> Receive:
    """The body already read, then the connection's own messages (a later disconnect is real, not invented)."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return await upstream()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


_ESCAPED_CONTROL = re.compile(rb"\\u00(?:[01][0-9a-fA-F]|7[fF])")


def control_characters(scope: Scope, headers: dict[bytes, bytes], body: bytes) -> JSONResponse | None:
    """A 422 naming the first field that holds a control character (tab, LF and CR are text)."""
    bad_field = "path" if CONTROL.search(scope.get("path", "")) else None
    for name, value in parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True):
        if bad_field is None and (CONTROL.search(value) or CONTROL.search(name)):
            bad_field = name
    if bad_field is None and b"json" in headers.get(b"content-type", b"") and _ESCAPED_CONTROL.search(body):
        try:
            bad_field = _find_control(json.loads(body), [])
        except (ValueError, RecursionError):
            return None  # not JSON, or nested too deeply: the route's own parsing answers 400
    if bad_field is None:
        return None
    reason = "must not contain control characters"
    return problem(
        422,
        "Invalid request",
        slug="validation",
        detail="1 problem(s) in the request",
        errors=[{"field": bad_field, "reason": reason, "code": "control_character"}],
    )


def _find_control(value: object, path: list[str]) -> str | None:
    if isinstance(value, str):
        return ".".join(path) or "body" if CONTROL.search(value) else None
    children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else []
    for key, child in children:
        if isinstance(key, str) and CONTROL.search(key):
            return ".".join(path) or "body"  # the object holding the key: a key is input too, never echoed
        found = _find_control(child, [*path, str(key)])
        if found:
            return found
    return None
