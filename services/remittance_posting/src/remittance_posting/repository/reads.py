"""The API's reads of remittance posting (`uow.reads`), scoped to the caller's tenant and the practices its token
allows, here once (`mine`, `_scoped`, `may_see`); the few an installation operator reads cross tenants and say so."""

from typing import Any
from uuid import UUID

from claimstream_platform.auth import Principal
from claimstream_platform.db import Repository
from claimstream_platform.paging import OrderedPageRequest, in_scope, keyset_page, ordered_page
from sqlalchemy import Select, Table, select
from sqlalchemy.engine import Row

from remittance_posting.domain import PaymentState
from remittance_posting.tables import claim_payments, provider_adjustments, remittances

_PAYMENTS = [claim_payments.c.seq]  # claim payments in the order they were stored (one 835's share its time)


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

    async def payments_of(
        self, principal: Principal, remittance_id: UUID, page: OrderedPageRequest
    ) -> tuple[list[Row[Any]], str | None]:
        """A page of the remittance's claim payments that are the tenant's, in the order they were posted (the
        caller has found the remittance in its scope)."""
        query = select(claim_payments).where(
            claim_payments.c.remittance_id == remittance_id, self.mine(principal.tenant_id, claim_payments)
        )
        return await ordered_page(self.session, query, _PAYMENTS, limit=page.limit, cursor=page.cursor)

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

    async def exceptions_page(
        self, principal: Principal, page: OrderedPageRequest
    ) -> tuple[list[Row[Any]], str | None]:
        """A page of the tenant's unmatched claim payments (of the practices its token allows), oldest first."""
        query = self._scoped(select(claim_payments), claim_payments, principal, None)
        return await self._exceptions(query, page)

    async def exceptions_across_tenants(self, page: OrderedPageRequest) -> tuple[list[Row[Any]], str | None]:
        """A page of every tenant's unmatched claim payments and those no tenant is known for: an installation
        operator's."""
        return await self._exceptions(select(claim_payments), page)

    async def payment_across_tenants(self, payment_id: UUID) -> Row[Any]:
        """One claim payment, whoever's: an installation operator's view of the payment it just assigned."""
        return (await self.session.execute(select(claim_payments).where(claim_payments.c.id == payment_id))).one()

    async def _exceptions(self, query: Select[Any], page: OrderedPageRequest) -> tuple[list[Row[Any]], str | None]:
        query = query.where(claim_payments.c.state == PaymentState.UNMATCHED)
        return await ordered_page(self.session, query, _PAYMENTS, limit=page.limit, cursor=page.cursor)

    async def postings_of(
        self, principal: Principal, claim_id: UUID, page: OrderedPageRequest
    ) -> tuple[list[Row[Any]], str | None]:
        """A page of what each ERA did to the claim, oldest first."""
        query = self._scoped(select(claim_payments), claim_payments, principal, None)
        query = query.where(claim_payments.c.claim_id == claim_id)
        return await ordered_page(self.session, query, _PAYMENTS, limit=page.limit, cursor=page.cursor)

    async def payment(self, principal: Principal, payment_id: UUID) -> Row[Any] | None:
        """One claim payment the caller may see."""
        query = self._scoped(select(claim_payments), claim_payments, principal, None)
        found: Row[Any] | None = (await self.session.execute(query.where(claim_payments.c.id == payment_id))).first()
        return found

    async def ledger_page(
        self, principal: Principal, practice_id: UUID | None, page: OrderedPageRequest
    ) -> tuple[list[Row[Any]], str | None]:
        """A page of the provider ledger, newest first."""
        query = self._scoped(select(provider_adjustments), provider_adjustments, principal, practice_id)
        order = [provider_adjustments.c.id]
        return await ordered_page(self.session, query, order, limit=page.limit, cursor=page.cursor, newest_first=True)
