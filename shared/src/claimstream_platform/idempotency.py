"""`Idempotency-Key` for POSTs: a retried request gets the first response and changes nothing.

The key row is inserted at the start of the request's transaction and completed with the response in
that same transaction, so either both the effect and the stored response commit, or neither does. A
concurrent request with the same key waits on the row's unique index and then replays the stored answer.
The same key with a different body is refused (422).

A command that asks a partner (a payer, through the clearinghouse) runs in phases instead (`run_inquiry`), so that
no call holds a connection or a transaction: its key is committed with the recorded intent, marked as started (status
0, the intent's reference as its response), and completed with the answer in a later transaction.
"""

import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Generic, Protocol, TypeVar

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert

from claimstream_platform import access_log
from claimstream_platform.auth import Principal
from claimstream_platform.db import UnitOfWork, idempotency_keys
from claimstream_platform.errors import DomainError, RuleViolation

HEADER = "Idempotency-Key"
TTL = timedelta(hours=24)
MAX_KEY_LENGTH = 255
ROUTE_LENGTH = 200  # the key table's column
STARTED = 0  # the status of a key whose command recorded its intent and has not answered yet (run_inquiry)
Question = TypeVar("Question")
Heard = TypeVar("Heard")


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


@dataclass(frozen=True)
class Started(Generic[Question]):
    """An inquiry's first phase done: what it recorded (`reference`, kept with the key for a retry to resume) and the
    question to send, exactly as recorded; None when its answer is recorded already."""

    reference: str
    question: Question | None


class Inquiry(Protocol[Question, Heard]):
    """A command that asks a partner and records its answer, in the phases of `run_inquiry`."""

    async def intend(self) -> Started[Question]:
        """Validate the request and record the intent with its question, as it will be sent."""
        ...

    async def resume(self, reference: str) -> Started[Question]:
        """A retry of a started command: its recorded question, to send again as it is, unless answered."""
        ...

    async def ask(self, question: Question) -> Heard:
        """The call, outside any transaction. The same question sent again is answered once (the partner dedupes
        it). A DomainError: the partner refused it, nothing was asked."""
        ...

    async def record(self, reference: str, heard: Heard | None) -> BaseModel | Reply:
        """Record the answer unless another attempt has (None: nothing was asked); the command's reply."""
        ...

    async def withdraw(self, reference: str) -> None:
        """The partner refused the question: the intent is forgotten (nothing was asked)."""
        ...


async def run_inquiry(
    request: Request,
    *,
    principal: Principal,
    uow: UnitOfWork,
    body: BaseModel | None,
    inquiry: Inquiry[Question, Heard],
    status_code: int = 201,
) -> JSONResponse:
    """Ask a partner without holding a connection while it answers, and at most once per intent:

    1. one short transaction claims the Idempotency-Key and records the intent (`intend`), named on the key; commit;
    2. the call (`ask`), outside any transaction;
    3. one short transaction records the answer and its events (`record`) and completes the key; commit.

    A retry of a key whose command has not answered (the call failed: 503; a crash; the last commit failed) resumes
    its intent: the recorded question is sent again byte for byte, which the partner answers once, or the answer
    another attempt recorded is read. A refusal (a DomainError from the call) withdraws the intent and the key."""
    row = _optional_key_row(request, principal, body)
    async with uow:
        earlier = None if row is None else await _claim(uow, row)
        if earlier is not None and earlier.status_code != STARTED:
            answer = _replayed(earlier)
            return JSONResponse(answer.payload, status_code=answer.status_code, headers=answer.headers)
        started = await (inquiry.intend() if earlier is None else inquiry.resume(earlier.response["started"]))
        if row is not None and earlier is None:
            values = {"response": {"started": started.reference}}
            await uow.session.execute(update(idempotency_keys).where(*_key_filter(row)).values(**values))
        await _commit_unaudited(uow)
    heard: Heard | None = None
    if started.question is not None:
        heard = await _asked(uow, row, inquiry, started.reference, started.question)
    async with uow:
        reply = _reply(await inquiry.record(started.reference, heard), status_code)
        payload = await _complete(uow, row, reply)
        await uow.commit()
    return JSONResponse(payload, status_code=reply.status_code)


async def _asked(
    uow: UnitOfWork,
    row: dict[str, Any] | None,
    inquiry: Inquiry[Question, Heard],
    reference: str,
    question: Question,
) -> Heard:
    try:
        return await inquiry.ask(question)
    except DomainError:
        async with uow:
            await inquiry.withdraw(reference)
            if row is not None:
                await uow.session.execute(delete(idempotency_keys).where(*_key_filter(row)))
            await _commit_unaudited(uow)
        raise


async def _commit_unaudited(uow: UnitOfWork) -> None:
    """An intent or a withdrawal committed without the request's access record: that goes with the answer's commit
    (a 2xx is what is recorded, access_log), so a request answered 503 or 422 has none."""
    with access_log.auditing(None):
        await uow.commit()


async def _run(
    request: Request,
    principal: Principal,
    uow: UnitOfWork,
    body: BaseModel | None,
    operation: Callable[[], Awaitable[BaseModel | Reply]],
    status_code: int,
) -> _Answer:
    row = _optional_key_row(request, principal, body)
    async with uow:
        earlier = None if row is None else await _claim(uow, row)
        if earlier is not None:
            return _replayed(earlier)
        reply = _reply(await operation(), status_code)
        payload = await _complete(uow, row, reply)
        await uow.commit()
        return _Answer(payload, reply.status_code)


async def _complete(uow: UnitOfWork, row: dict[str, Any] | None, reply: Reply) -> Any:
    """The reply's body as JSON, stored with the key (when there is one) in the unit's transaction."""
    payload = None if reply.body is None else reply.body.model_dump(mode="json")
    if row is not None:
        values = {"status_code": reply.status_code, "response": {} if payload is None else payload}
        await uow.session.execute(update(idempotency_keys).where(*_key_filter(row)).values(**values))
    return payload


def _reply(result: BaseModel | Reply, status_code: int) -> Reply:
    return result if isinstance(result, Reply) else Reply(result, status_code)


def _optional_key_row(request: Request, principal: Principal, body: BaseModel | None) -> dict[str, Any] | None:
    key = request.headers.get(HEADER)
    return None if key is None else _key_row(request, principal, key, body)


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


async def _claim(uow: UnitOfWork, row: dict[str, Any]) -> Any | None:
    """Insert the key; if it exists (and has not expired), its row (the same request's: another body is refused)."""
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
    return existing


def _replayed(existing: Any) -> _Answer:
    return _Answer(existing.response, existing.status_code, replayed=True)
