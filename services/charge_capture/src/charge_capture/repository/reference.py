"""Set-up as coding and the set-up API read it (`uow.reference`): the practice, providers, payer with its policy
overrides and fee schedules. Every read names the caller's tenant; its filter is written once per table
(`mine`; providers, policies and fees are reached through their practice and payer)."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from types import SimpleNamespace
from typing import Any
from uuid import UUID

from claimstream_platform.db import Repository, UnitOfWork
from sqlalchemy import and_, bindparam, select
from sqlalchemy.engine import Row

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


@dataclass(frozen=True)
class Reference:
    """What coding one encounter needs from set-up: None where the practice has no such provider or payer."""

    practice: Row[Any]
    provider: Row[Any] | None
    payer: PayerSetup | None
    supervisor: Row[Any] | None = None  # the supervising provider, when the encounter names one that exists
    other_payers: Mapping[str, Row[Any]] = field(default_factory=dict)  # secondary and tertiary payers set up


# Payer set-ups (fee schedules and policy overrides) by (payer, revision): every write to them bumps the payer's
# revision in the same transaction (`Setup.bump_payer_revision`), so a cached entry is never stale, only unused.
_payer_setups: dict[tuple[UUID, int], PayerSetup] = {}
_MAX_CACHED = 5000


# One statement for the practice, the rendering and supervising providers and the payer; built once (it runs per
# encounter), so its tenant filter is a parameter on the practice. A NULL supervisor NPI joins nothing.
_practice, _provider, _payer = practices.alias("practice"), providers.alias("provider"), payers.alias("payer")
_supervisor = providers.alias("supervisor")
_REFERENCE_QUERY = (
    select(_practice, _provider, _payer, _supervisor)
    .select_from(
        _practice.outerjoin(
            _provider, and_(_provider.c.practice_id == _practice.c.id, _provider.c.npi == bindparam("npi"))
        )
        .outerjoin(_payer, and_(_payer.c.practice_id == _practice.c.id, _payer.c.payer_id == bindparam("payer_id")))
        .outerjoin(
            _supervisor,
            and_(_supervisor.c.practice_id == _practice.c.id, _supervisor.c.npi == bindparam("supervisor_npi")),
        )
    )
    .where(_practice.c.id == bindparam("practice_id"), _practice.c.tenant_id == bindparam("tenant_id"))
)


class ReferenceData(Repository):
    """Practices, providers and payers for one unit of work: one query per distinct (practice, provider, payer),
    and fee schedules read only when the payer's set-up changed since this process last read it."""

    table = practices

    def __init__(self, uow: UnitOfWork) -> None:
        super().__init__(uow)
        self._seen: dict[tuple[UUID, UUID, str, str, str | None, tuple[str, ...]], Reference | None] = {}

    async def practice_or_none(self, tenant_id: UUID, practice_id: UUID) -> Row[Any] | None:
        query = select(practices).where(practices.c.id == practice_id, self.mine(tenant_id, practices))
        return (await self.session.execute(query)).one_or_none()

    async def payer_or_none(self, tenant_id: UUID, practice_id: UUID, payer_id: str) -> Row[Any] | None:
        query = select(payers).where(
            self.mine(tenant_id, payers), payers.c.practice_id == practice_id, payers.c.payer_id == payer_id
        )
        return (await self.session.execute(query)).one_or_none()

    async def lookup(
        self,
        tenant_id: UUID,
        practice_id: UUID,
        npi: str,
        payer_id: str,
        supervisor_npi: str | None = None,
        other_payer_ids: tuple[str, ...] = (),
    ) -> Reference | None:
        """None when the practice does not exist for this tenant."""
        key = (tenant_id, practice_id, npi, payer_id, supervisor_npi, other_payer_ids)
        if key not in self._seen:
            found = await self._load(*key[:5])
            if found is not None and other_payer_ids:
                others = await self._other_payers(tenant_id, practice_id, other_payer_ids)
                found = replace(found, other_payers=others)
            self._seen[key] = found
        return self._seen[key]

    async def _other_payers(
        self, tenant_id: UUID, practice_id: UUID, payer_ids: tuple[str, ...]
    ) -> dict[str, Row[Any]]:
        query = select(payers).where(
            self.mine(tenant_id, payers), payers.c.practice_id == practice_id, payers.c.payer_id.in_(payer_ids)
        )
        return {row.payer_id: row for row in await self.session.execute(query)}

    async def _load(
        self, tenant_id: UUID, practice_id: UUID, npi: str, payer_id: str, supervisor_npi: str | None
    ) -> Reference | None:
        params = {
            "practice_id": practice_id,
            "tenant_id": tenant_id,
            "npi": npi,
            "payer_id": payer_id,
            "supervisor_npi": supervisor_npi,
        }
        row = (await self.session.execute(_REFERENCE_QUERY, params)).one_or_none()
        if row is None:
            return None
        mapping = row._mapping
        return Reference(
            practice=_part(mapping, _practice),
            provider=_part(mapping, _provider) if mapping[_provider.c.id] is not None else None,
            payer=await self._payer_setup(_part(mapping, _payer)) if mapping[_payer.c.id] is not None else None,
            supervisor=_part(mapping, _supervisor) if mapping[_supervisor.c.id] is not None else None,
        )

    async def _payer_setup(self, payer_row: Row[Any]) -> PayerSetup:
        key = (payer_row.id, payer_row.revision)
        cached = _payer_setups.get(key)
        if cached is None:
            cached = await self._load_payer_setup(payer_row)
            if len(_payer_setups) >= _MAX_CACHED:
                _payer_setups.clear()
            _payer_setups[key] = cached
        return PayerSetup(payer_row, cached.overrides, cached.fee_versions)

    async def _load_payer_setup(self, row: Row[Any]) -> PayerSetup:
        overrides = (
            await self.session.execute(
                select(payer_policy_overrides)
                .where(payer_policy_overrides.c.payer_ref == row.id)
                .order_by(payer_policy_overrides.c.effective_from)
            )
        ).all()
        schedules = (
            await self.session.execute(
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
            for entry in await self.session.execute(
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


def _part(mapping: Any, alias: Any) -> Any:
    """One table's columns out of a joined row, as an object with attribute access."""
    return SimpleNamespace(**{column.name: mapping[column] for column in alias.c})
