"""Encounters and their charge lines: stored, versioned, voided and read."""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, TypeAlias
from uuid import UUID

from claimstream_platform.auth import Principal
from claimstream_platform.db import UnitOfWork
from claimstream_platform.paging import in_scope, keyset_page
from sqlalchemy import select, tuple_, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from charge_capture.tables import charge_lines, encounters

StoredRow: TypeAlias = Row[Any]  # an encounter or line as stored: handlers read it, importing no SQLAlchemy


async def lines_of(session: AsyncSession, keys: Sequence[tuple[UUID, int]]) -> dict[UUID, list[Row[Any]]]:
    """Charge lines of the given (encounter, version) pairs, by encounter, in line order."""
    by_encounter: dict[UUID, list[Row[Any]]] = {}
    if not keys:
        return by_encounter
    rows = await session.execute(
        select(charge_lines)
        .where(tuple_(charge_lines.c.encounter_id, charge_lines.c.version).in_(list(keys)))
        .order_by(charge_lines.c.encounter_id, charge_lines.c.line_number)
    )
    for line in rows:
        by_encounter.setdefault(line.encounter_id, []).append(line)
    return by_encounter


async def stored_by_key(
    session: AsyncSession, tenant_id: UUID, keys: set[tuple[UUID, str]]
) -> dict[tuple[UUID, str], tuple[Row[Any], list[Row[Any]]]]:
    rows = (
        await session.execute(
            select(encounters).where(
                encounters.c.tenant_id == tenant_id,
                tuple_(encounters.c.practice_id, encounters.c.external_id).in_(list(keys)),
            )
        )
    ).all()
    lines = await lines_of(session, [(row.id, row.version) for row in rows])
    return {(row.practice_id, row.external_id): (row, lines.get(row.id, [])) for row in rows}


async def insert_new(uow: UnitOfWork, rows: Sequence[dict[str, Any]], lines: Sequence[dict[str, Any]]) -> set[UUID]:
    """Insert the encounters not stored yet and the lines of those inserted; the ids inserted (the others exist
    already). executemany: SQLAlchemy sends the rows in multi-row batches with one cached statement. Rows go in
    key order, so two batches that share encounters wait on each other in the same order, never in a cycle."""
    ordered = sorted(rows, key=lambda row: (str(row["practice_id"]), row["external_id"]))
    inserted = set(
        await uow.session.scalars(
            insert(encounters)
            .on_conflict_do_nothing(index_elements=["tenant_id", "practice_id", "external_id"])
            .returning(encounters.c.id),
            ordered,
        )
    )
    kept = [line for line in lines if line["encounter_id"] in inserted]
    if kept:
        await uow.session.execute(insert(charge_lines), kept)
    return inserted


async def store_version(
    uow: UnitOfWork, encounter_id: UUID, values: dict[str, Any], lines: Sequence[dict[str, Any]]
) -> None:
    """A corrected encounter's new version and its lines (earlier versions' lines stay for history)."""
    await uow.session.execute(update(encounters).where(encounters.c.id == encounter_id).values(**values))
    if lines:
        await uow.session.execute(insert(charge_lines), list(lines))


async def mark_voided(uow: UnitOfWork, encounter_id: UUID) -> None:
    await uow.session.execute(
        update(encounters)
        .where(encounters.c.id == encounter_id)
        .values(status="voided", total_amount=None, updated_at=datetime.now(UTC))
    )


async def in_scope_or_none(
    session: AsyncSession, principal: Principal | None, encounter_id: UUID, *, lock: bool = False
) -> Row[Any] | None:
    """The encounter, when it is the principal's tenant's and in a practice its token allows (any, for None)."""
    query = select(encounters).where(encounters.c.id == encounter_id)
    if principal is not None:
        query = query.where(encounters.c.tenant_id == principal.tenant_id)
    row = (await session.execute(query.with_for_update() if lock else query)).one_or_none()
    if row is None or (principal is not None and not principal.may_access(row.practice_id)):
        return None
    return row


async def page(
    session: AsyncSession, principal: Principal, *, practice_id: UUID | None, status: str | None,
    external_id: str | None, limit: int, cursor: UUID | None,
) -> tuple[list[Row[Any]], UUID | None]:  # fmt: skip
    """A keyset page of the tenant's encounters in the practices the token allows, filtered."""
    query = in_scope(
        select(encounters).where(encounters.c.tenant_id == principal.tenant_id),
        encounters.c.practice_id, principal, practice_id,
    )  # fmt: skip
    if status is not None:
        query = query.where(encounters.c.status == status)
    if external_id is not None:
        query = query.where(encounters.c.external_id == external_id)
    found, next_cursor = await keyset_page(session, query, encounters.c.id, limit=limit, cursor=cursor)
    return list(found), next_cursor
