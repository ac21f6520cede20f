from decimal import Decimal
from typing import ClassVar
from uuid import UUID, uuid4

from claimstream_platform import practices
from claimstream_platform.access import Audit, allow
from claimstream_platform.auth import Role
from claimstream_platform.contracts import IntegrationEvent
from claimstream_platform.db import UnitOfWork, platform_metadata
from claimstream_platform.errors import NotFound, RuleViolation
from claimstream_platform.idempotency import run_command
from claimstream_platform.web import CurrentPrincipal, UnitOfWorkDep
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Column, MetaData, Numeric, Table, insert, select
from sqlalchemy.dialects.postgresql import UUID as PgUUID
from sqlalchemy.ext.asyncio import AsyncEngine

TOPIC = "example-ledger.v1"


class EntryRecorded(IntegrationEvent):
    """Emitted by the example ledger when an entry is recorded; consumed by its own worker."""

    event_type: ClassVar[str] = "claimstream.example.entry-recorded.v1"
    topic: ClassVar[str] = TOPIC
    subject_field: ClassVar[str] = "entry_id"

    entry_id: UUID
    amount: Decimal


metadata = MetaData()
entries = Table(
    "entries",
    metadata,
    Column("id", PgUUID(as_uuid=True), primary_key=True),
    Column("tenant_id", PgUUID(as_uuid=True), nullable=False),
    Column("practice_id", PgUUID(as_uuid=True), nullable=False),
    Column("amount", Numeric(12, 2), nullable=False),
)
applied = Table(
    "applied",
    metadata,
    Column("entry_id", PgUUID(as_uuid=True), nullable=False),
    Column("tenant_id", PgUUID(as_uuid=True), nullable=False),
    Column("amount", Numeric(12, 2), nullable=False),
)


async def create_tables(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
        await connection.run_sync(platform_metadata.create_all)
        await connection.run_sync(practices.create_registry)


async def record_entry(uow: UnitOfWork, *, tenant_id: UUID, practice_id: UUID, amount: Decimal) -> UUID:
    entry_id = uuid4()
    await practices.register(uow.session, practice_id, tenant_id)  # as charge capture sets a practice up
    await uow.session.execute(
        insert(entries).values(id=entry_id, tenant_id=tenant_id, practice_id=practice_id, amount=amount)
    )
    uow.publish(EntryRecorded(tenant_id=tenant_id, practice_id=practice_id, entry_id=entry_id, amount=amount))
    return entry_id


async def apply_entry(event: EntryRecorded, uow: UnitOfWork) -> None:
    if event.amount < 0:
        raise RuleViolation("an entry cannot be negative", field="amount")
    await uow.session.execute(
        insert(applied).values(entry_id=event.entry_id, tenant_id=event.tenant_id, amount=event.amount)
    )


SUBSCRIPTIONS = {EntryRecorded: apply_entry}


class EntryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    amount: Decimal = Field(max_digits=12, decimal_places=2)


class EntryOut(BaseModel):
    id: UUID
    practice_id: UUID
    amount: Decimal


router = APIRouter()


@router.post(
    "/v1/practices/{practice_id}/entries",
    status_code=201,
    openapi_extra=allow(Role.BILLER, Role.EHR_INTEGRATION, audit=Audit.MONEY),
)
async def post_entry(
    practice_id: UUID, body: EntryIn, request: Request, principal: CurrentPrincipal, uow: UnitOfWorkDep
) -> JSONResponse:
    principal.require_practice(practice_id)

    async def operation() -> EntryOut:
        entry_id = await record_entry(uow, tenant_id=principal.tenant_id, practice_id=practice_id, amount=body.amount)
        return EntryOut(id=entry_id, practice_id=practice_id, amount=body.amount)

    return await run_command(request, principal=principal, uow=uow, body=body, operation=operation)


@router.get("/v1/entries/{entry_id}", openapi_extra=allow(Role.BILLER, Role.READ_ONLY, audit=Audit.PHI))
async def get_entry(entry_id: UUID, principal: CurrentPrincipal, uow: UnitOfWorkDep) -> EntryOut:
    async with uow:
        row = (
            await uow.session.execute(
                select(entries).where(entries.c.id == entry_id, entries.c.tenant_id == principal.tenant_id)
            )
        ).one_or_none()
    if row is None or not principal.may_access(row.practice_id):
        raise NotFound("entry not found")
    return EntryOut(id=row.id, practice_id=row.practice_id, amount=row.amount)
