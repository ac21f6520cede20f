"""The request middleware every app runs: body limits, control characters refused, correlation ids, the call
context, access logs and HTTP metrics."""

import json
import logging
import re
import time
from urllib.parse import parse_qsl
from uuid import UUID, uuid4

from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from claimstream_platform import telemetry
from claimstream_platform.context import call_context
from claimstream_platform.problems import problem
from claimstream_platform.x12.text import CONTROL

MAX_BODY_BYTES = 8 * 1024 * 1024
CORRELATION_HEADER = "x-correlation-id"
access_log = logging.getLogger("claimstream.access")


class RequestContextMiddleware:
    """Sets the correlation id (from `X-Correlation-Id` or new) and refuses, before any route runs, what no
    route may see: a body over the limit (counted as it streams in, chunked or not, never read whole) and
    control characters PostgreSQL cannot store or X12 cannot carry, in the path, the query or a JSON body."""

    def __init__(self, app: ASGIApp, max_body_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        body = await self._read_body(headers, receive)
        refusal = self._too_large() if body is None else _control_characters(scope, headers, body)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        assert body is not None
        receive = _replay(body, receive)
        correlation_id = _correlation_id(headers.get(CORRELATION_HEADER.encode()))

        status = 500  # what the server answers if the app fails before starting a response

        async def send_with_header(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [
                    *message.get("headers", []),
                    (CORRELATION_HEADER.encode(), str(correlation_id).encode()),
                ]
            await send(message)

        started = time.perf_counter()
        with call_context(correlation_id=correlation_id):
            try:
                await self.app(scope, receive, send_with_header)
            finally:
                _record_request(scope, status, time.perf_counter() - started)

    async def _read_body(self, headers: dict[bytes, bytes], receive: Receive) -> bytes | None:
        """The whole body, or None as soon as it passes the limit (the rest is never read)."""
        length = headers.get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_body_bytes):
            return None
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break  # the client went away; the route sees an empty body and the disconnect
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)

    def _too_large(self) -> JSONResponse:
        limit = self.max_body_bytes
        return problem(413, "Body too large", slug="body-too-large", detail=f"the limit is {limit} bytes")


def _record_request(scope: Scope, status: int, seconds: float) -> None:
    """The access log line and the HTTP metrics: the route's template, never the path's ids or the query."""
    route = scope.get("route")
    template = getattr(route, "path", None) or "unmatched"
    labels = {"method": scope["method"], "route": template, "status": str(status)}
    telemetry.HTTP_REQUESTS.add(1, labels)
    telemetry.HTTP_SECONDS.record(seconds, {"method": scope["method"], "route": template})
    if template not in ("/healthz", "/readyz", "/metrics"):
        access_log.info("request", extra={**labels, "duration_ms": round(seconds * 1000, 1)})


def _replay(body: bytes, upstream: Receive) -> Receive:
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


def _control_characters(scope: Scope, headers: dict[bytes, bytes], body: bytes) -> JSONResponse | None:
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


def _correlation_id(raw: bytes | None) -> UUID:
    try:
        return UUID(raw.decode()) if raw else uuid4()
    except ValueError:
        return uuid4()
