"""Reads and writes of charge capture's tables. Every query is scoped to the caller's tenant."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from charge_capture.coding.engine import FeeEntry
from charge_capture.coding.policy import Layer
from charge_capture.tables import (
    fee_schedule_entries,
    fee_schedules,
    payer_policy_overrides,
    payers,
    practices,
    providers,
)
from sqlalchemy import and_, select, tuple_
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession


@dataclass(frozen=True)
class PayerSetup:
    row: Row[Any]
    overrides: tuple[Layer, ...]
    fee_versions: tuple[tuple[date, tuple[FeeEntry, ...]], ...]  # newest effective date first

    def fees_on(self, day: date) -> tuple[FeeEntry, ...]:
        """The schedule in force on `day`: the latest effective date not after it (empty when none)."""
        for effective_from, entries in self.fee_versions:
            if effective_from <= day:
                return entries
        return ()


def modifiers_key(modifiers: Sequence[str]) -> str:
    return ":".join(sorted(modifiers))


class ReferenceData:
    """Practices, providers and payers a request needs, each read once per request (a batch of 1,000
    encounters from one practice costs a handful of queries, not thousands)."""

    def __init__(self, session: AsyncSession, tenant_id: UUID) -> None:
        self._session = session
        self._tenant_id = tenant_id
        self._practices: dict[UUID, Row[Any] | None] = {}
        self._providers: dict[tuple[UUID, str], Row[Any] | None] = {}
        self._payers: dict[tuple[UUID, str], PayerSetup | None] = {}

    async def practice(self, practice_id: UUID) -> Row[Any] | None:
        if practice_id not in self._practices:
            self._practices[practice_id] = (
                await self._session.execute(
                    select(practices).where(practices.c.id == practice_id, practices.c.tenant_id == self._tenant_id)
                )
            ).one_or_none()
        return self._practices[practice_id]

    async def provider(self, practice_id: UUID, npi: str) -> Row[Any] | None:
        key = (practice_id, npi)
        if key not in self._providers:
            self._providers[key] = (
                await self._session.execute(
                    select(providers).where(
                        providers.c.practice_id == practice_id,
                        providers.c.npi == npi,
                        providers.c.tenant_id == self._tenant_id,
                    )
                )
            ).one_or_none()
        return self._providers[key]

    async def payer(self, practice_id: UUID, payer_id: str) -> PayerSetup | None:
        key = (practice_id, payer_id)
        if key not in self._payers:
            self._payers[key] = await self._load_payer(practice_id, payer_id)
        return self._payers[key]

    async def _load_payer(self, practice_id: UUID, payer_id: str) -> PayerSetup | None:
        row = (
            await self._session.execute(
                select(payers).where(
                    payers.c.practice_id == practice_id,
                    payers.c.payer_id == payer_id,
                    payers.c.tenant_id == self._tenant_id,
                )
            )
        ).one_or_none()
        if row is None:
            return None
        overrides = (
            await self._session.execute(
                select(payer_policy_overrides)
                .where(payer_policy_overrides.c.payer_ref == row.id)
                .order_by(payer_policy_overrides.c.effective_from)
            )
        ).all()
        schedules = (
            await self._session.execute(
                select(fee_schedules.c.id, fee_schedules.c.effective_from)
                .where(fee_schedules.c.payer_ref == row.id)
                .order_by(fee_schedules.c.effective_from.desc(), fee_schedules.c.created_at.desc())
            )
        ).all()
        # Only the newest version per effective date counts; older ones are history.
        current: dict[date, UUID] = {}
        for schedule in schedules:
            current.setdefault(schedule.effective_from, schedule.id)
        entries: dict[UUID, list[FeeEntry]] = {schedule_id: [] for schedule_id in current.values()}
        if entries:
            for entry in await self._session.execute(
                select(fee_schedule_entries).where(fee_schedule_entries.c.schedule_id.in_(list(entries)))
            ):
                modifiers = frozenset(entry.modifiers.split(":")) if entry.modifiers else frozenset()
                entries[entry.schedule_id].append(FeeEntry(entry.code, modifiers, entry.amount))
        return PayerSetup(
            row=row,
            overrides=tuple(
                Layer("payer", o.effective_from, o.settings, o.effective_to or date.max) for o in overrides
            ),
            fee_versions=tuple((day, tuple(entries[schedule_id])) for day, schedule_id in current.items()),
        )


async def practice_or_none(session: AsyncSession, tenant_id: UUID, practice_id: UUID) -> Row[Any] | None:
    return (
        await session.execute(
            select(practices).where(practices.c.id == practice_id, practices.c.tenant_id == tenant_id)
        )
    ).one_or_none()


async def payer_or_none(session: AsyncSession, tenant_id: UUID, practice_id: UUID, payer_id: str) -> Row[Any] | None:
    return (
        await session.execute(
            select(payers).where(
                payers.c.tenant_id == tenant_id, payers.c.practice_id == practice_id, payers.c.payer_id == payer_id
            )
        )
    ).one_or_none()


def key_filter(table: Any, keys: Sequence[tuple[Any, ...]], *columns: str) -> Any:
    """WHERE (col1, col2) IN ((...), (...)) for a batch lookup."""
    return tuple_(*(table.c[name] for name in columns)).in_(keys) if keys else and_(False)
