"""The API's reads of remittance posting (`uow.reads`), scoped to the caller's tenant and the practices its token
allows, here once (`mine`, `_scoped`, `may_see`); the few an installation operator reads cross tenants and say so."""

from typing import Any
from uuid import UUID

from claimstream_platform.auth import Principal
from claimstream_platform.db import Repository
from claimstream_platform.paging import in_scope, keyset_page
from sqlalchemy import ColumnElement, Select, Table, select
from sqlalchemy.engine import Row

from remittance_posting.domain import PaymentState
from remittance_posting.tables import claim_payments, provider_adjustments, remittances


def may_see(principal: Principal, tenant_id: UUID | None, practice_id: UUID | None) -> bool:
    """A tenant's row, of a practice the token allows. A row no tenant is known for is never a tenant's to see:
    installation operators reach those through the methods that say they cross tenants."""
    if tenant_id is None or tenant_id != principal.tenant_id:
        return False
    # a remittance of several practices is visible only to a token for all of the tenant's practices
    return principal.practice_ids is None if practice_id is None else principal.may_access(practice_id)


class Reads(Repository):
    table = remittances

    def _scoped(self, query: Select[Any], table: Table, principal: Principal, practice_id: UUID | None) -> Select[Any]:
        whose = self.mine(principal.tenant_id, table)
        return in_scope(query.where(whose), table.c.practice_id, principal, practice_id)

    async def remittance_in_scope(self, principal: Principal, remittance_id: UUID) -> Row[Any] | None:
        row = (await self.session.execute(select(remittances).where(remittances.c.id == remittance_id))).one_or_none()
        return row if row is not None and may_see(principal, row.tenant_id, row.practice_id) else None

    async def payments_of(self, remittance_id: UUID) -> list[Row[Any]]:
        query = select(claim_payments).where(claim_payments.c.remittance_id == remittance_id)
        return list(
            (await self.session.execute(query.order_by(claim_payments.c.created_at, claim_payments.c.id))).all()
        )

    async def remittances_page(
        self,
        principal: Principal,
        *,
        practice_id: UUID | None,
        payer_id: str | None,
        received_from: Any,
        received_to: Any,
        limit: int,
        cursor: UUID | None,
    ) -> tuple[list[Row[Any]], UUID | None]:
        query = self._scoped(select(remittances), remittances, principal, practice_id)
        if payer_id is not None:
            query = query.where(remittances.c.payer_id == payer_id)
        if received_from is not None:
            query = query.where(remittances.c.created_at >= received_from)
        if received_to is not None:
            query = query.where(remittances.c.created_at < received_to)
        page, next_cursor = await keyset_page(self.session, query, remittances.c.id, limit=limit, cursor=cursor)
        return list(page), next_cursor

    async def exceptions_page(self, principal: Principal, limit: int) -> list[Row[Any]]:
        """The tenant's unmatched claim payments (of the practices its token allows), oldest first."""
        rows = await self._exceptions(limit, self.mine(principal.tenant_id, claim_payments))
        return [row for row in rows if may_see(principal, row.tenant_id, row.practice_id)]

    async def exceptions_across_tenants(self, limit: int) -> list[Row[Any]]:
        """Every tenant's unmatched claim payments and those no tenant is known for: an installation operator's."""
        return await self._exceptions(limit)

    async def payment_across_tenants(self, payment_id: UUID) -> Row[Any]:
        """One claim payment, whoever's: an installation operator's view of the payment it just assigned."""
        return (await self.session.execute(select(claim_payments).where(claim_payments.c.id == payment_id))).one()

    async def _exceptions(self, limit: int, *whose: ColumnElement[bool]) -> list[Row[Any]]:
        query = select(claim_payments).where(claim_payments.c.state == PaymentState.UNMATCHED, *whose)
        return list((await self.session.execute(query.order_by(claim_payments.c.created_at).limit(limit))).all())

    async def postings_of(self, principal: Principal, claim_id: UUID) -> list[Row[Any]]:
        query = self._scoped(select(claim_payments), claim_payments, principal, None).where(
            claim_payments.c.claim_id == claim_id
        )
        return list((await self.session.execute(query.order_by(claim_payments.c.created_at))).all())

    async def ledger_page(self, principal: Principal, practice_id: UUID | None, limit: int) -> list[Row[Any]]:
        query = self._scoped(select(provider_adjustments), provider_adjustments, principal, practice_id)
        return list((await self.session.execute(query.order_by(provider_adjustments.c.id.desc()).limit(limit))).all())
