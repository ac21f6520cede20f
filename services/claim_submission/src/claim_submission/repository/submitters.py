"""Each tenant's submitter (1000A)."""

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from claimstream_platform.db import UnitOfWork
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Row

from claim_submission.tables import submitters


async def of_tenants(uow: UnitOfWork, tenant_ids: Iterable[UUID]) -> list[Row[Any]]:
    return list(
        (await uow.session.execute(select(submitters).where(submitters.c.tenant_id.in_(list(set(tenant_ids)))))).all()
    )


async def of_tenant(uow: UnitOfWork, tenant_id: UUID) -> Row[Any] | None:
    return (await uow.session.execute(select(submitters).where(submitters.c.tenant_id == tenant_id))).one_or_none()


async def put(uow: UnitOfWork, tenant_id: UUID, values: dict[str, Any]) -> None:
    await uow.session.execute(
        insert(submitters)
        .values(tenant_id=tenant_id, **values)
        .on_conflict_do_update(index_elements=["tenant_id"], set_=values)
    )
