"""A small app with declared routes, for the tests of what runs before the body and of the access log's emission."""

from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import Any
from uuid import UUID

import httpx
from claimstream_platform.access import Audit, RateClass, allow
from claimstream_platform.auth import OPERATOR, Role
from claimstream_platform.errors import RuleViolation
from claimstream_platform.middleware import MAX_BODY_BYTES
from claimstream_platform.settings import ServiceSettings
from claimstream_platform.web import CurrentCaller, CurrentPrincipal, Platform, UnitOfWorkDep, create_app
from example.service import record_entry
from fastapi import APIRouter, FastAPI
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.types import Message

router = APIRouter()
SMALL_CAP = 1024
BATCH_CAP = 4 * MAX_BODY_BYTES  # a route that takes a batch declares a cap above the default


class Note(BaseModel):
    text: str


@router.post("/v1/notes", openapi_extra=allow(Role.BILLER))
async def post_note(note: Note) -> dict[str, str]:
    return {"text": note.text}


@router.post("/v1/small-notes", openapi_extra=allow(Role.BILLER, max_body_bytes=SMALL_CAP))
async def post_small_note(note: Note) -> dict[str, int]:
    return {"length": len(note.text)}


@router.post("/v1/note-batches", openapi_extra=allow(Role.BILLER, max_body_bytes=BATCH_CAP, rate=RateClass.BATCH))
async def post_note_batch(notes: list[Note]) -> dict[str, int]:
    return {"notes": len(notes)}


@router.get("/v1/uploads", openapi_extra=allow(Role.BILLER, rate=RateClass.UPLOAD))
async def upload_like(principal: CurrentPrincipal) -> dict[str, str]:
    return {"tenant": str(principal.tenant_id)}


@router.get("/v1/records/{record_id}", openapi_extra=allow(Role.BILLER, audit=Audit.PHI))
async def read_record(record_id: UUID) -> dict[str, str]:
    return {"id": str(record_id), "content": "what only a logged reader may see"}


@router.get("/v1/records", openapi_extra=allow(Role.BILLER, OPERATOR, audit=Audit.PHI))
async def list_records(
    caller: CurrentCaller,
    practice_id: UUID | None = None,
    patient_ref: str | None = None,
    member_id: str | None = None,  # PHI in its own right: never recorded
    status: str | None = None,
) -> dict[str, str]:
    return {"caller": caller.subject, "filters": f"{practice_id} {patient_ref} {member_id} {status}"}


@router.post(
    "/v1/practices/{practice_id}/payments", status_code=201, openapi_extra=allow(Role.BILLER, audit=Audit.MONEY)
)
async def pay(practice_id: UUID, principal: CurrentPrincipal, uow: UnitOfWorkDep, fail: bool = False) -> Any:
    async with uow:
        entry_id = await record_entry(uow, tenant_id=principal.tenant_id, practice_id=practice_id, amount=Decimal(1))
        if fail:
            raise RuleViolation("refused after the change was staged", field="fail")
        await uow.commit()
    return {"id": str(entry_id)}


def walls_app(settings: ServiceSettings) -> FastAPI:
    return create_app(settings, title="walls", routers=[router])


@asynccontextmanager
async def walls_client(app: FastAPI, settings: ServiceSettings) -> AsyncIterator[httpx.AsyncClient]:
    app.state.platform = Platform.open(settings)  # ASGITransport does not run the lifespan
    await app.state.platform.start()
    try:
        transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 4711))
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client
    finally:
        await app.state.platform.close()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def outbox_rows(sessionmaker: async_sessionmaker[AsyncSession]) -> list[Any]:
    """The outbox's rows, oldest first, each with the transaction that wrote it (`xact`)."""
    async with sessionmaker() as session:
        query = text("SELECT event_type, payload, tenant_id, xmin::text AS xact FROM outbox ORDER BY seq")
        return list((await session.execute(query)).all())


class CountingBody:
    """An ASGI `receive` that hands out a body in chunks and counts the bytes anyone took."""

    def __init__(self, size: int, chunk: int = 64 * 1024) -> None:
        self.left, self.chunk, self.taken = size, chunk, 0

    async def __call__(self) -> Message:
        piece = min(self.chunk, self.left)
        self.left -= piece
        self.taken += piece
        return {"type": "http.request", "body": b" " * piece, "more_body": self.left > 0}


async def call_asgi(
    app: FastAPI, method: str, path: str, headers: Iterable[tuple[str, str]], receive: Callable[[], Any]
) -> int:
    """Call the app as a server would, with `receive` as the connection; the status it answered."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(name.lower().encode(), value.encode()) for name, value in headers],
        "client": ("203.0.113.9", 4711),
        "server": ("test", 80),
        "state": {},
    }
    statuses: list[int] = []

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    await app(scope, receive, send)
    return statuses[0]
