"""Encounters and their charge lines: stored, versioned, voided and read, as `Encounter` aggregates (`uow.encounters`).
Reads name the tenant; the filter is written once, in `mine` (charge lines are read through their encounters)."""

from collections.abc import Iterable, Sequence
from typing import Any
from uuid import UUID

from claimstream_platform.auth import Principal
from claimstream_platform.contracts import Reason
from claimstream_platform.db import Repository
from claimstream_platform.many_rows import insert_many, rows_in
from claimstream_platform.paging import in_scope, keyset_page
from sqlalchemy import Select, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Row

from charge_capture.coded import ChargeLine
from charge_capture.domain import Encounter
from charge_capture.tables import charge_lines, encounters

# Columns a correction leaves as they were: the encounter's key and when it was first received.
_KEPT_BY_VERSIONS = frozenset({"id", "tenant_id", "practice_id", "external_id", "created_at"})


class Encounters(Repository):
    table = encounters

    def _select(self, tenant_id: UUID) -> Select[Any]:
        return select(encounters).where(self.mine(tenant_id))

    async def visible(self, principal: Principal, encounter_id: UUID, *, lock: bool = False) -> Encounter | None:
        """The encounter, when it is in a practice the principal's token allows."""
        query = self._select(principal.tenant_id).where(encounters.c.id == encounter_id)
        row = (await self.session.execute(query.with_for_update() if lock else query)).one_or_none()
        if row is None or not principal.may_access(row.practice_id):
            return None
        return (await self._with_lines([row]))[0]

    async def by_keys(self, tenant_id: UUID, keys: Iterable[tuple[UUID, str]]) -> dict[tuple[UUID, str], Encounter]:
        """The tenant's stored encounters by (practice, external id)."""
        query = self._select(tenant_id).where(rows_in((encounters.c.practice_id, encounters.c.external_id), keys))
        found = await self._with_lines((await self.session.execute(query)).all())
        return {(encounter.practice_id, encounter.external_id): encounter for encounter in found}

    async def page(
        self,
        principal: Principal,
        *,
        practice_id: UUID | None,
        status: str | None,
        external_id: str | None,
        limit: int,
        cursor: UUID | None,
    ) -> tuple[list[Encounter], UUID | None]:
        """A keyset page of the tenant's encounters in the practices the token allows, filtered."""
        query = in_scope(self._select(principal.tenant_id), encounters.c.practice_id, principal, practice_id)
        if status is not None:
            query = query.where(encounters.c.status == status)
        if external_id is not None:
            query = query.where(encounters.c.external_id == external_id)
        found, next_cursor = await keyset_page(self.session, query, encounters.c.id, limit=limit, cursor=cursor)
        return await self._with_lines(found), next_cursor

    async def insert_new(self, new: Sequence[Encounter]) -> set[UUID]:
        """Insert the encounters not stored yet and the lines of those inserted; the ids inserted (the others exist
        already). The encounters as an executemany with RETURNING, which SQLAlchemy sends in multi-row batches with one
        cached statement; their lines in one statement. Rows go in key order, so two batches that share encounters
        wait on each other in the same order, never in a cycle."""
        if not new:
            return set()
        ordered = sorted(new, key=lambda encounter: (str(encounter.practice_id), encounter.external_id))
        inserted = set(
            await self.session.scalars(
                insert(encounters)
                .on_conflict_do_nothing(index_elements=["tenant_id", "practice_id", "external_id"])
                .returning(encounters.c.id),
                [_row(encounter) for encounter in ordered],
            )
        )
        await self._insert_lines([encounter for encounter in new if encounter.id in inserted])
        return inserted

    async def store_version(self, encounter: Encounter) -> None:
        """A corrected encounter's new version and its lines (earlier versions' lines stay for history)."""
        values = {k: v for k, v in _row(encounter).items() if k not in _KEPT_BY_VERSIONS}
        await self.session.execute(update(encounters).where(encounters.c.id == encounter.id).values(**values))
        await self._insert_lines([encounter])

    async def store_voided(self, encounter: Encounter) -> None:
        await self.session.execute(
            update(encounters)
            .where(encounters.c.id == encounter.id)
            .values(status=encounter.status, total_amount=encounter.total_amount, updated_at=encounter.updated_at)
        )

    async def _insert_lines(self, stored: Sequence[Encounter]) -> None:
        lines = [_line_row(encounter, line) for encounter in stored for line in encounter.lines]
        await insert_many(self.session, charge_lines, lines)

    async def _with_lines(self, rows: Sequence[Row[Any]]) -> list[Encounter]:
        """The encounters of these rows, each with the charge lines of its current version, in line order."""
        by_encounter: dict[UUID, list[ChargeLine]] = {}
        if rows:
            keys = [(row.id, row.version) for row in rows]
            lines = await self.session.execute(
                select(charge_lines)
                .where(rows_in((charge_lines.c.encounter_id, charge_lines.c.version), keys))
                .order_by(charge_lines.c.encounter_id, charge_lines.c.line_number)
            )
            for line in lines:
                by_encounter.setdefault(line.encounter_id, []).append(_line(line))
        return [_encounter(row, by_encounter.get(row.id, [])) for row in rows]


def _row(encounter: Encounter) -> dict[str, Any]:
    columns = {column.name for column in encounters.c}
    row = {name: getattr(encounter, name) for name in columns if name not in ("problems", "warnings")}
    row["problems"] = [reason.model_dump() for reason in encounter.problems]
    row["warnings"] = [reason.model_dump() for reason in encounter.warnings]
    return row


def _encounter(row: Row[Any], lines: Sequence[ChargeLine]) -> Encounter:
    values = {k: v for k, v in row._mapping.items() if k not in ("problems", "warnings")}
    return Encounter(
        **values,
        problems=tuple(Reason(**problem) for problem in row.problems),
        warnings=tuple(Reason(**warning) for warning in row.warnings),
        lines=tuple(lines),
    )


def _line_row(encounter: Encounter, line: ChargeLine) -> dict[str, Any]:
    return {
        "encounter_id": encounter.id,
        "version": encounter.version,
        "line_number": line.line_number,
        "code": line.code,
        "modifiers": list(line.modifiers),
        "units": line.units,
        "amount": line.amount,
        "diagnosis_pointers": list(line.diagnosis_pointers),
        "minutes": line.minutes,
        "prior_authorization_number": line.prior_authorization_number,
    }


def _line(row: Row[Any]) -> ChargeLine:
    return ChargeLine(
        line_number=row.line_number,
        code=row.code,
        modifiers=tuple(row.modifiers),
        units=row.units,
        amount=row.amount,
        diagnosis_pointers=tuple(row.diagnosis_pointers),
        minutes=row.minutes,
        prior_authorization_number=row.prior_authorization_number,
    )
