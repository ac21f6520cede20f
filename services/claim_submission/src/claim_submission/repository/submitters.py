"""Each tenant's submitter (1000A): `uow.submitters`."""

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from claimstream_platform.db import Repository
from claimstream_platform.errors import Conflict
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError

from claim_submission.tables import submitters

UNIQUE_VIOLATION = "23505"  # the tenant's own row is updated in place: only another tenant's submitter id conflicts


class Submitters(Repository):
    table = submitters

    async def of_tenants(self, tenant_ids: Iterable[UUID]) -> list[Row[Any]]:
        query = select(submitters).where(submitters.c.tenant_id.in_(list(set(tenant_ids))))
        return list((await self.session.execute(query)).all())

    async def of_tenant(self, tenant_id: UUID) -> Row[Any] | None:
        return (await self.session.execute(select(submitters).where(self.mine(tenant_id)))).one_or_none()

    async def put(self, tenant_id: UUID, values: dict[str, Any]) -> None:
        """The tenant's submitter, new or replaced. A submitter id another tenant holds is refused (409), saying
        nothing of whose it is: the unique index decides, since row-level security hides the other tenant's row."""
        statement = (
            insert(submitters)
            .values(tenant_id=tenant_id, **values)
            .on_conflict_do_update(index_elements=["tenant_id"], set_=values)
        )
        try:
            await self.session.execute(statement)
        except IntegrityError as error:
            if getattr(error.orig, "sqlstate", None) != UNIQUE_VIOLATION:
                raise
            raise Conflict("this submitter id is already another tenant's", field="submitter_id") from None
