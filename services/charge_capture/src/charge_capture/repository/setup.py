"""Practice set-up written and listed through the API: practices, providers, payers, policy overrides and fee
schedules. Callers check the tenant and practice first (`reference.practice_or_none`, `payer_or_none`)."""

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid4

from claimstream_platform.errors import Conflict
from sqlalchemy import Table, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from charge_capture.repository.reference import bump_payer_revision, modifiers_key
from charge_capture.tables import (
    fee_schedule_entries,
    fee_schedules,
    payer_policy_overrides,
    payers,
    practices,
    providers,
)

TABLES = {"practices": practices, "providers": providers, "payers": payers}
ORDER = {"practices": practices.c.name, "providers": providers.c.last_name, "payers": payers.c.payer_id}


async def insert_unique(session: AsyncSession, kind: str, values: dict[str, Any], conflict: str, field: str) -> UUID:
    """Insert a set-up row with a new id; its unique constraint turns a duplicate into 409 naming `field`."""
    table: Table = TABLES[kind]
    row_id = uuid4()
    created = await session.scalar(
        insert(table).values(id=row_id, **values).on_conflict_do_nothing().returning(table.c.id)
    )
    if created is None:
        raise Conflict(conflict, field=field)
    return row_id


async def listed(
    session: AsyncSession, kind: str, *, tenant_id: UUID, practice_id: UUID | None = None
) -> list[Row[Any]]:
    """The tenant's practices, or one practice's providers or payers, in their listing order."""
    table = TABLES[kind]
    query = select(table).where(table.c.tenant_id == tenant_id)
    if practice_id is not None:
        query = query.where(table.c.practice_id == practice_id)
    return list((await session.execute(query.order_by(ORDER[kind]))).all())


async def put_policy(session: AsyncSession, payer_ref: UUID, values: dict[str, Any]) -> list[Row[Any]]:
    """Set the payer's policy override from a date (the same date again: replaced); returns the history."""
    await bump_payer_revision(session, payer_ref)
    await session.execute(
        insert(payer_policy_overrides)
        .values(payer_ref=payer_ref, **values)
        .on_conflict_do_update(index_elements=["payer_ref", "effective_from"], set_=values)
    )
    query = (
        select(payer_policy_overrides)
        .where(payer_policy_overrides.c.payer_ref == payer_ref)
        .order_by(payer_policy_overrides.c.effective_from)
    )
    return list((await session.execute(query)).all())


async def add_fee_schedule(
    session: AsyncSession,
    tenant_id: UUID,
    payer_ref: UUID,
    effective_from: date,
    entries: Sequence[tuple[str, Sequence[str], Any]],
) -> tuple[UUID, datetime]:
    """A new fee schedule version with its (code, modifiers, amount) entries; its id and creation time."""
    await bump_payer_revision(session, payer_ref)
    schedule_id = uuid4()
    created_at = await session.scalar(
        insert(fee_schedules)
        .values(id=schedule_id, tenant_id=tenant_id, payer_ref=payer_ref, effective_from=effective_from)
        .returning(fee_schedules.c.created_at)
    )
    await session.execute(
        insert(fee_schedule_entries),
        [
            {"schedule_id": schedule_id, "code": code, "modifiers": modifiers_key(modifiers), "amount": amount}
            for code, modifiers, amount in entries
        ],
    )
    assert created_at is not None
    return schedule_id, created_at


async def fee_schedules_of(
    session: AsyncSession, payer_ref: UUID
) -> list[tuple[Row[Any], list[tuple[str, list[str], Any]]]]:
    """Every version, newest effective date first, each with its (code, modifiers, amount) entries."""
    schedules = (
        await session.execute(
            select(fee_schedules)
            .where(fee_schedules.c.payer_ref == payer_ref)
            .order_by(fee_schedules.c.effective_from.desc(), fee_schedules.c.created_at.desc())
        )
    ).all()
    entries: dict[UUID, list[tuple[str, list[str], Any]]] = {s.id: [] for s in schedules}
    if entries:
        for e in await session.execute(
            select(fee_schedule_entries)
            .where(fee_schedule_entries.c.schedule_id.in_(list(entries)))
            .order_by(fee_schedule_entries.c.code, fee_schedule_entries.c.modifiers)
        ):
            entries[e.schedule_id].append((e.code, e.modifiers.split(":") if e.modifiers else [], e.amount))
    return [(s, entries[s.id]) for s in schedules]
