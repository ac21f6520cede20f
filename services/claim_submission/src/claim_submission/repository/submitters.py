"""Each tenant's submitter (1000A): `uow.submitters`."""

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from claimstream_platform.db import Repository
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Row

from claim_submission.tables import submitters


class Submitters(Repository):
    table = submitters

    async def of_tenants(self, tenant_ids: Iterable[UUID]) -> list[Row[Any]]:
        query = select(submitters).where(submitters.c.tenant_id.in_(list(set(tenant_ids))))
        return list((await self.session.execute(query)).all())

    async def of_tenant(self, tenant_id: UUID) -> Row[Any] | None:
        return (await self.session.execute(select(submitters).where(self.mine(tenant_id)))).one_or_none()

    async def put(self, tenant_id: UUID, values: dict[str, Any]) -> None:
        await self.session.execute(
            insert(submitters)
            .values(tenant_id=tenant_id, **values)
            .on_conflict_do_update(index_elements=["tenant_id"], set_=values)
        )
