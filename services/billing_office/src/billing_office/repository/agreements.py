"""Fee agreements (`uow.agreements`): effective-dated, one per practice and first month; kept, never changed."""

from uuid import UUID

from claimstream_platform.auth import Principal
from claimstream_platform.db import Repository
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from billing_office.domain import Agreement
from billing_office.tables import agreements

g = agreements.c
TERMS = ("insurance_percent", "patient_percent", "minimum_fee", "per_claim_fee", "per_statement_fee")


class Agreements(Repository):
    table = agreements

    async def add(self, tenant_id: UUID, practice_id: UUID, agreement: Agreement, by: str) -> None:
        row = {name: getattr(agreement, name) for name in (*TERMS, "id", "effective_from", "include_interest")}
        row |= {"tenant_id": tenant_id, "practice_id": practice_id, "recorded_by": by}
        await self.session.execute(insert(agreements).values(row))

    async def of_practice(self, tenant_id: UUID, practice_id: UUID) -> list[Agreement]:
        query = select(agreements).where(self.mine(tenant_id), g.practice_id == practice_id).order_by(g.effective_from)
        return [_agreement(row) for row in await self.session.execute(query)]

    async def listing(self, principal: Principal, practice_id: UUID) -> list[Agreement]:
        where = [*self.mine_in(principal.tenant_id, principal.practice_ids), g.practice_id == practice_id]
        query = select(agreements).where(*where).order_by(g.effective_from)
        return [_agreement(row) for row in await self.session.execute(query)]

    async def practices(self, tenant_id: UUID | None = None) -> list[tuple[UUID, UUID]]:
        """(tenant, practice) of every practice with an agreement: of one tenant, or across tenants (the loop)."""
        query = select(g.tenant_id, g.practice_id).distinct().order_by(g.tenant_id, g.practice_id)
        if tenant_id is not None:
            query = query.where(self.mine(tenant_id))
        return [(row.tenant_id, row.practice_id) for row in await self.session.execute(query)]


def _agreement(row: object) -> Agreement:
    fields = {name: getattr(row, name) for name in (*TERMS, "id", "effective_from", "include_interest")}
    return Agreement(**fields)
