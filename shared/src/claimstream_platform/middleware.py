"""The request middleware every app runs, in this order, before a route reads a byte of the body:

1. the correlation id (from `X-Correlation-Id` or new) and the call context;
2. the gate (gate.py): the route matched and its declaration read, the bearer token verified, the caller's roles
   checked, a slot among the process's requests in flight taken (shedding.py: 503 at the bound, 429 for a tenant
   over its share) and its rate budget checked: 401, 403, 429 (503 when the limiter's store is down too long) with
   no body read; the slot is given back when the answer is sent;
3. the route's own body cap (413), counted as the body streams in, chunked or not, never read whole;
4. control characters PostgreSQL cannot store or X12 cannot carry, in the path, the query or a JSON body (422);
5. the route, with the request's pending access record when it is audited (access_log.py): a 2xx answer that no
   commit recorded is recorded before its first byte leaves, or replaced by a 503.

Every answer, refusals included, carries the correlation id and is counted in the access log line and metrics.
"""

import asyncio
import logging
import time
from uuid import UUID, uuid4

from fastapi.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from claimstream_platform import access_log as access_records
from claimstream_platform import telemetry
from claimstream_platform.context import call_context
from claimstream_platform.db import UnitOfWork
from claimstream_platform.gate import Admitted, Authenticate, RouteTable, admit, pending_access, unavailable
from claimstream_platform.request_body import control_characters, read_body, replay, too_large

# The cap of a route that declares none. An ordinary JSON command is a few KiB; the largest one's schema admits (an
# encounter with 50 procedures, every name at its longest in accented letters sent escaped, pretty-printed) is
# 60 KB. A route that takes a batch or a file declares its own (`access.allow(max_body_bytes=...)`).
MAX_BODY_BYTES = 256 * 1024
CORRELATION_HEADER = "x-correlation-id"
RECORD_TIMEOUT = 5.0  # seconds an access record may take before the answer becomes a 503
access_log = logging.getLogger("claimstream.access")
log = logging.getLogger(__name__)


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp, *, authenticate: Authenticate, max_body_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.authenticate = authenticate
        self.max_body_bytes = max_body_bytes  # a route's own cap (access.allow(max_body_bytes=...)) replaces it
        self.routes = RouteTable()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        answer = _Answer(scope, send, _correlation_id(headers.get(CORRELATION_HEADER.encode())))
        started = time.perf_counter()
        with call_context(correlation_id=answer.correlation_id):
            try:
                await self._serve(scope, headers, receive, answer)
            finally:
                _record_request(scope, answer.status, time.perf_counter() - started)

    async def _serve(self, scope: Scope, headers: dict[bytes, bytes], receive: Receive, answer: "_Answer") -> None:
        admitted = await admit(scope, self.routes, self.authenticate)
        if isinstance(admitted, Response):
            await admitted(scope, receive, answer.send)
            return
        try:
            await self._serve_admitted(scope, headers, receive, answer, admitted)
        finally:
            admitted.release()

    async def _serve_admitted(
        self, scope: Scope, headers: dict[bytes, bytes], receive: Receive, answer: "_Answer", admitted: Admitted
    ) -> None:
        body = b""  # a route that declares nothing (health, docs) or no route (404, 405) gets no body
        if admitted.access is not None:
            cap = admitted.access.max_body_bytes or self.max_body_bytes
            read = await read_body(headers, receive, cap)
            if read is None:
                await too_large(cap)(scope, receive, answer.send)
                return
            body = read
        refusal = control_characters(scope, headers, body)
        if refusal is not None:
            await refusal(scope, receive, answer.send)
            return
        pending = pending_access(scope, admitted, answer.correlation_id)
        answer.audited = pending is not None
        with access_records.auditing(pending):
            await self.app(scope, replay(body, receive), answer.send)


class _Answer:
    """The response on its way out: its status for the logs, the correlation header, and for an audited route
    the access record written before the first byte leaves (or the answer replaced by a 503)."""

    def __init__(self, scope: Scope, send: Send, correlation_id: UUID) -> None:
        self.scope, self._send, self.correlation_id = scope, send, correlation_id
        self.status = 500  # what the server answers if the app fails before starting a response
        self.audited = False
        self._replaced = False

    async def send(self, message: Message) -> None:
        if self._replaced:
            return  # the original answer's body, after a 503 took its place
        if message["type"] == "http.response.start" and self.audited:
            replacement = await _record_before_answer(self.scope, message["status"])
            if replacement is not None:
                self._replaced = True
                await replacement(self.scope, _nothing, self._forward)
                return
        await self._forward(message)

    async def _forward(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            message["headers"] = [
                *message.get("headers", []),
                (CORRELATION_HEADER.encode(), str(self.correlation_id).encode()),
            ]
        await self._send(message)


async def _record_before_answer(scope: Scope, status: int) -> JSONResponse | None:
    """A 2xx that no commit recorded (a read): its record in a short transaction of its own, or a 503 to answer
    instead, so no one is given PHI that the access log does not show."""
    if access_records.unrecorded(status) is None:
        return None
    try:
        async with asyncio.timeout(RECORD_TIMEOUT), UnitOfWork(scope["app"].state.platform.sessionmaker) as uow:
            await uow.commit()  # stages the pending record (access_log.stage) and commits it
    except Exception as error:
        log.error("access record not written: the answer is withheld", extra={"error": type(error).__name__})
        return unavailable("the access log cannot be written", retry_after=5)
    return None


async def _nothing() -> Message:
    return {"type": "http.disconnect"}


def _record_request(scope: Scope, status: int, seconds: float) -> None:
    """The access log line and the HTTP metrics: the route's template, never the path's ids or the query."""
    route = scope.get("route")
    template = getattr(route, "path", None) or "unmatched"
    labels = {"method": scope["method"], "route": template, "status": str(status)}
    telemetry.HTTP_REQUESTS.add(1, labels)
    telemetry.HTTP_SECONDS.record(seconds, {"method": scope["method"], "route": template})
    if template not in ("/healthz", "/readyz", "/metrics"):
        access_log.info("request", extra={**labels, "duration_ms": round(seconds * 1000, 1)})


def _correlation_id(raw: bytes | None) -> UUID:
    try:
        return UUID(raw.decode()) if raw else uuid4()
    except ValueError:
        return uuid4()
