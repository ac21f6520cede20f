"""Practice set-up written and listed through the API (`uow.setup`): practices, providers, payers, policy overrides
and fee schedules. Callers check the tenant and practice first (`uow.reference.practice_or_none`, `payer_or_none`);
listings name the tenant, its filter written once (`mine`)."""

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid4

from claimstream_platform import practices as practices_registry
from claimstream_platform.db import Repository
from claimstream_platform.errors import Conflict
from sqlalchemy import Table, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Row

from charge_capture.repository.reference import modifiers_key
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

FeeRow = tuple[str, Sequence[str], Any]  # code, modifiers, amount


class Setup(Repository):
    table = practices

    async def insert_unique(self, kind: str, values: dict[str, Any], conflict: str, field: str) -> UUID:
        """Insert a set-up row with a new id; its unique constraint turns a duplicate into 409 naming `field`."""
        table: Table = TABLES[kind]
        row_id = uuid4()
        created = await self.session.scalar(
            insert(table).values(id=row_id, **values).on_conflict_do_nothing().returning(table.c.id)
        )
        if created is None:
            raise Conflict(conflict, field=field)
        return row_id

    async def register_practice(self, practice_id: UUID, tenant_id: UUID) -> None:
        """In the transaction that sets the practice up: the platform's registry says it is the tenant's, which every
        consumer checks an event's practice against."""
        await practices_registry.register(self.session, practice_id, tenant_id)

    async def listed(self, kind: str, *, tenant_id: UUID, practice_id: UUID | None = None) -> list[Row[Any]]:
        """The tenant's practices, or one practice's providers or payers, in their listing order."""
        table = TABLES[kind]
        query = select(table).where(self.mine(tenant_id, table))
        if practice_id is not None:
            query = query.where(table.c.practice_id == practice_id)
        return list((await self.session.execute(query.order_by(ORDER[kind]))).all())

    async def put_policy(self, payer_ref: UUID, values: dict[str, Any]) -> list[Row[Any]]:
        """Set the payer's policy override from a date (the same date again: replaced); returns the history."""
        await self.bump_payer_revision(payer_ref)
        await self.session.execute(
            insert(payer_policy_overrides)
            .values(payer_ref=payer_ref, **values)
            .on_conflict_do_update(index_elements=["payer_ref", "effective_from"], set_=values)
        )
        query = (
            select(payer_policy_overrides)
            .where(payer_policy_overrides.c.payer_ref == payer_ref)
            .order_by(payer_policy_overrides.c.effective_from)
        )
        return list((await self.session.execute(query)).all())

    async def add_fee_schedule(
        self, tenant_id: UUID, payer_ref: UUID, effective_from: date, entries: Sequence[FeeRow]
    ) -> tuple[UUID, datetime]:
        """A new fee schedule version with its (code, modifiers, amount) entries; its id and creation time."""
        await self.bump_payer_revision(payer_ref)
        schedule_id = uuid4()
        created_at = await self.session.scalar(
            insert(fee_schedules)
            .values(id=schedule_id, tenant_id=tenant_id, payer_ref=payer_ref, effective_from=effective_from)
            .returning(fee_schedules.c.created_at)
        )
        await self.session.execute(
            insert(fee_schedule_entries),
            [
                {"schedule_id": schedule_id, "code": code, "modifiers": modifiers_key(modifiers), "amount": amount}
                for code, modifiers, amount in entries
            ],
        )
        assert created_at is not None
        return schedule_id, created_at

    async def bump_payer_revision(self, payer_ref: UUID) -> None:
        """In the same transaction as any change to a payer's fee schedules or policy overrides: the cache of payer
        set-ups (`reference`) is keyed by revision."""
        await self.session.execute(
            update(payers).where(payers.c.id == payer_ref).values(revision=payers.c.revision + 1)
        )

    async def fee_schedules_of(self, payer_ref: UUID) -> list[tuple[Row[Any], list[tuple[str, list[str], Any]]]]:
        """Every version, newest effective date first, each with its (code, modifiers, amount) entries."""
        schedules = (
            await self.session.execute(
                select(fee_schedules)
                .where(fee_schedules.c.payer_ref == payer_ref)
                .order_by(fee_schedules.c.effective_from.desc(), fee_schedules.c.created_at.desc())
            )
        ).all()
        entries: dict[UUID, list[tuple[str, list[str], Any]]] = {s.id: [] for s in schedules}
        if entries:
            for e in await self.session.execute(
                select(fee_schedule_entries)
                .where(fee_schedule_entries.c.schedule_id.in_(list(entries)))
                .order_by(fee_schedule_entries.c.code, fee_schedule_entries.c.modifiers)
            ):
                entries[e.schedule_id].append((e.code, e.modifiers.split(":") if e.modifiers else [], e.amount))
        return [(s, entries[s.id]) for s in schedules]

    async def newest_schedule_if_same(
        self, payer_ref: UUID, effective_from: date, entries: set[tuple[str, str, Any]]
    ) -> Row[Any] | None:
        """The newest version for `effective_from` when its entries (code, modifiers key, amount) are exactly these:
        a PUT repeated with the same body is then answered with it, and adds no version."""
        newest = (
            await self.session.execute(
                select(fee_schedules)
                .where(fee_schedules.c.payer_ref == payer_ref, fee_schedules.c.effective_from == effective_from)
                .order_by(fee_schedules.c.created_at.desc())
                .limit(1)
            )
        ).one_or_none()
        if newest is None:
            return None
        stored = await self.session.execute(
            select(fee_schedule_entries.c.code, fee_schedule_entries.c.modifiers, fee_schedule_entries.c.amount).where(
                fee_schedule_entries.c.schedule_id == newest.id
            )
        )
        return newest if {(code, modifiers, amount) for code, modifiers, amount in stored} == entries else None
