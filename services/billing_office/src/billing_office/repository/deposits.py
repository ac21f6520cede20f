"""Remittances awaiting their deposit and the bank's deposits (`uow.deposits`): stored, matched by trace and
amount, listed in the three lists, and their mismatches found for the alert loop. A request's reads keep to the
caller's tenant (and its practices: a deposit not matched yet is no practice's, so only a tenant-wide token sees it)."""

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from claimstream_platform.auth import Principal
from claimstream_platform.db import Repository
from claimstream_platform.locks import hold_names
from claimstream_platform.many_rows import one_of
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert

from billing_office.deposits import EFT_METHODS, Waiting
from billing_office.tables import deposits, remittances

d, r = deposits.c, remittances.c


class Deposits(Repository):
    table = deposits

    async def hold(self, tenant_id: UUID, traces: Iterable[str]) -> None:
        """The traces' lock until the transaction ends: a remittance and its deposit stored at once would each miss
        the other (neither committed), and stay unmatched; the later waits, then finds the earlier."""
        await hold_names(self.uow, {f"billing-office:trace:{tenant_id}:{trace}" for trace in traces})

    async def add_remittance(self, row: dict[str, Any]) -> None:
        await self.session.execute(insert(remittances).values(row).on_conflict_do_nothing())

    async def add(self, rows: list[dict[str, Any]]) -> int:
        """The deposits not imported before (the same file twice adds nothing): how many were new."""
        if not rows:
            return 0
        added = insert(deposits).values(rows).on_conflict_do_nothing().returning(d.id)
        return len((await self.session.execute(added)).all())

    async def unmatched(self, tenant_id: UUID, traces: Iterable[str]) -> tuple[list[Waiting], list[Waiting]]:
        """The tenant's unmatched awaited remittances and deposits of these traces, locked (in one order)."""
        wanted = sorted(set(traces))
        awaited = [r.deposit_id.is_(None), r.method.in_(EFT_METHODS) | r.method.is_(None), r.amount > 0]
        query = select(r.id, r.trace, r.amount, r.paid_on.label("since")).where(
            self.mine(tenant_id, remittances), one_of(r.trace, wanted), *awaited
        )
        found = (await self.session.execute(query.order_by(r.id).with_for_update())).all()
        banked = select(d.id, d.trace, d.amount, d.deposited_on.label("since")).where(
            self.mine(tenant_id), one_of(d.trace, wanted), d.remittance_id.is_(None)
        )
        arrived = (await self.session.execute(banked.order_by(d.id).with_for_update())).all()
        return [Waiting(*row) for row in found], [Waiting(*row) for row in arrived]

    async def link(self, remittance_id: UUID, deposit_id: UUID) -> None:
        practice = select(r.practice_id).where(r.id == remittance_id).scalar_subquery()
        await self.session.execute(update(remittances).where(r.id == remittance_id).values(deposit_id=deposit_id))
        linked = update(deposits).where(d.id == deposit_id).values(remittance_id=remittance_id, practice_id=practice)
        await self.session.execute(linked)

    async def matched(self, principal: Principal, limit: int = 200) -> Sequence[Any]:
        columns = [r.id.label("remittance_id"), d.id.label("deposit_id"), r.payer_id, r.trace, r.amount]
        query = select(*columns, r.paid_on, d.deposited_on).join(deposits, d.id == r.deposit_id)
        query = query.where(*self.mine_in(principal.tenant_id, principal.practice_ids, remittances))
        return (await self.session.execute(query.order_by(d.deposited_on.desc(), r.id).limit(limit))).all()

    async def eras_waiting(self, principal: Principal, limit: int = 500) -> Sequence[Any]:
        awaited = [r.deposit_id.is_(None), r.method.in_(EFT_METHODS) | r.method.is_(None), r.amount > 0]
        where = [*self.mine_in(principal.tenant_id, principal.practice_ids, remittances), *awaited]
        query = select(remittances).where(*where).order_by(r.paid_on, r.id).limit(limit)
        return (await self.session.execute(query)).all()

    async def deposits_waiting(self, principal: Principal, limit: int = 500) -> Sequence[Any]:
        where = [*self.mine_in(principal.tenant_id, principal.practice_ids), d.remittance_id.is_(None)]
        query = select(deposits).where(*where).order_by(d.deposited_on, d.id).limit(limit)
        return (await self.session.execute(query)).all()

    async def not_alerted(self, today: date) -> tuple[Sequence[Any], Sequence[Any]]:
        """Every tenant's unmatched remittances and deposits older than three calendar days and not announced
        (the loop, across tenants, counts their business days), locked, another replica skipping them."""
        cutoff = today - timedelta(days=3)
        awaited = [r.deposit_id.is_(None), r.method.in_(EFT_METHODS) | r.method.is_(None), r.amount > 0]
        eras = select(remittances).where(*awaited, r.alerted_on.is_(None), r.paid_on < cutoff).order_by(r.paid_on)
        banked = select(deposits).where(d.remittance_id.is_(None), d.alerted_on.is_(None), d.deposited_on < cutoff)
        found = (await self.session.execute(eras.limit(200).with_for_update(skip_locked=True))).all()
        banked = banked.order_by(d.deposited_on).limit(200)
        arrived = (await self.session.execute(banked.with_for_update(skip_locked=True))).all()
        return found, arrived

    async def alerted(self, remittance_ids: list[UUID], deposit_ids: list[UUID], today: date) -> None:
        await self.session.execute(update(remittances).where(one_of(r.id, remittance_ids)).values(alerted_on=today))
        await self.session.execute(update(deposits).where(one_of(d.id, deposit_ids)).values(alerted_on=today))
