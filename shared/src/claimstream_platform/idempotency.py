"""`Idempotency-Key` for POSTs: a retried request gets the first response and changes nothing.

The key row is inserted at the start of the request's transaction and completed with the response in
that same transaction, so either both the effect and the stored response commit, or neither does. A
concurrent request with the same key waits on the row's unique index and then replays the stored answer.
The same key with a different body is refused (422).
"""

import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert

from claimstream_platform.auth import Principal
from claimstream_platform.db import UnitOfWork, idempotency_keys
from claimstream_platform.errors import RuleViolation

HEADER = "Idempotency-Key"
TTL = timedelta(hours=24)
MAX_KEY_LENGTH = 255
ROUTE_LENGTH = 200  # the key table's column


class IdempotencyKeyReused(RuleViolation):
    """The key was already used for a request with a different body."""


@dataclass(frozen=True)
class Reply:
    """What an operation returns when its status depends on the outcome (201 created, 200 existing)."""

    body: BaseModel | None  # None: no content (204)
    status_code: int


@dataclass(frozen=True)
class _Answer:
    payload: Any
    status_code: int
    replayed: bool = False

    @property
    def headers(self) -> dict[str, str] | None:
        return {"Idempotent-Replayed": "true"} if self.replayed else None


async def run_command(
    request: Request,
    *,
    principal: Principal,
    uow: UnitOfWork,
    body: BaseModel | None,
    operation: Callable[[], Awaitable[BaseModel | Reply]],
    status_code: int = 201,
) -> JSONResponse:
    """Run `operation` in `uow`'s transaction and commit; with an Idempotency-Key, at most once per key."""
    answer = await _run(request, principal, uow, body, operation, status_code)
    return JSONResponse(answer.payload, status_code=answer.status_code, headers=answer.headers)


async def run_no_content(
    request: Request,
    *,
    principal: Principal,
    uow: UnitOfWork,
    body: BaseModel | None,
    operation: Callable[[], Awaitable[None]],
) -> Response:
    """`run_command` for a command that answers 204 with no body (an acknowledgment, a retry)."""

    async def acted() -> Reply:
        await operation()
        return Reply(None, 204)

    answer = await _run(request, principal, uow, body, acted, 204)
    return Response(status_code=answer.status_code, headers=answer.headers)


async def _run(
    request: Request,
    principal: Principal,
    uow: UnitOfWork,
    body: BaseModel | None,
    operation: Callable[[], Awaitable[BaseModel | Reply]],
    status_code: int,
) -> _Answer:
    key = request.headers.get(HEADER)
    async with uow:
        row = None if key is None else _key_row(request, principal, key, body)
        if row is not None and (stored := await _claim(uow, row)) is not None:
            return stored
        reply = _reply(await operation(), status_code)
        payload = None if reply.body is None else reply.body.model_dump(mode="json")
        if row is not None:
            stored_payload = {} if payload is None else payload
            values = {"status_code": reply.status_code, "response": stored_payload}
            await uow.session.execute(update(idempotency_keys).where(*_key_filter(row)).values(**values))
        await uow.commit()
        return _Answer(payload, reply.status_code)


def _reply(result: BaseModel | Reply, status_code: int) -> Reply:
    return result if isinstance(result, Reply) else Reply(result, status_code)


def _key_row(request: Request, principal: Principal, key: str, body: BaseModel | None) -> dict[str, Any]:
    if not key or len(key) > MAX_KEY_LENGTH:
        raise RuleViolation(f"{HEADER} must be 1 to {MAX_KEY_LENGTH} characters", field=HEADER)
    canonical = json.dumps(body.model_dump(mode="json") if body else None, sort_keys=True, separators=(",", ":"))
    return {
        "tenant_id": principal.tenant_id,
        "principal": principal.subject,
        "route": _resource(request),
        "key": key,
        "request_hash": hashlib.sha256(canonical.encode()).hexdigest(),
        "status_code": 0,
        "response": {},
        "expires_at": datetime.now(UTC) + TTL,
    }


def _resource(request: Request) -> str:
    """What the key was sent to: the method and the path itself, not its route pattern (a key reused on another
    claim's path is another request). Paths carry ids only, never PHI; a long one is kept as its digest."""
    resource = f"{request.method} {request.url.path}"
    if len(resource) <= ROUTE_LENGTH:
        return resource
    return f"{request.method} sha256:{hashlib.sha256(request.url.path.encode()).hexdigest()}"


def _key_filter(row: dict[str, Any]) -> list[Any]:
    c = idempotency_keys.c
    return [
        c.tenant_id == row["tenant_id"],
        c.principal == row["principal"],
        c.route == row["route"],
        c.key == row["key"],
    ]


async def _claim(uow: UnitOfWork, row: dict[str, Any]) -> _Answer | None:
    """Insert the key; if it exists (and has not expired), return the stored response instead."""
    session = uow.session
    inserted = await session.scalar(
        insert(idempotency_keys).values(row).on_conflict_do_nothing().returning(idempotency_keys.c.key)
    )
    if inserted is not None:
        return None
    existing = (await session.execute(select(idempotency_keys).where(*_key_filter(row)))).one_or_none()
    # None: the retention pass pruned the expired key between the insert and this read (retention.py)
    if existing is None or existing.expires_at <= datetime.now(UTC):
        await session.execute(delete(idempotency_keys).where(*_key_filter(row)))
        await session.execute(insert(idempotency_keys).values(row))
        return None
    if existing.request_hash != row["request_hash"]:
        raise IdempotencyKeyReused(f"this {HEADER} was used with a different request body", field=HEADER)
    return _Answer(existing.response, existing.status_code, replayed=True)
