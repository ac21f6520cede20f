"""The write-off limit a tenant admin sets (`uow.limits`): one row per tenant."""

from decimal import Decimal
from uuid import UUID

from claimstream_platform.db import Repository
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert

from denial_management.tables import write_off_limits


class WriteOffLimits(Repository):
    async def per_case(self, tenant_id: UUID) -> Decimal | None:
        query = select(write_off_limits.c.per_case).where(self.mine(tenant_id, write_off_limits))
        limit: Decimal | None = await self.session.scalar(query)
        return limit

    async def set_per_case(self, tenant_id: UUID, amount: Decimal, set_by: str) -> None:
        row = {"tenant_id": tenant_id, "per_case": amount, "set_by": set_by[:200]}
        upsert = insert(write_off_limits).values(row)
        changes = {"per_case": amount, "set_by": row["set_by"], "set_at": func.now()}
        await self.session.execute(upsert.on_conflict_do_update(index_elements=["tenant_id"], set_=changes))
