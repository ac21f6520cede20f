"""The claim API's reads: every one scoped to the caller's tenant and the practices its token allows, here once."""

from typing import Any
from uuid import UUID

from claimstream_platform.auth import Principal
from claimstream_platform.errors import NotFound
from claimstream_platform.paging import in_scope, keyset_page
from sqlalchemy import select
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from claim_submission.tables import claim_history, claims, submissions


async def claim_in_scope(session: AsyncSession, principal: Principal, claim_id: UUID) -> Any:
    """The claim, or NotFound when it is another tenant's or a practice the token does not allow."""
    row = (
        await session.execute(select(claims).where(claims.c.id == claim_id, claims.c.tenant_id == principal.tenant_id))
    ).one_or_none()
    if row is None or not principal.may_access(row.practice_id):
        raise NotFound("claim not found")
    return row


async def history_of(session: AsyncSession, claim_id: UUID) -> list[Row[Any]]:
    query = select(claim_history).where(claim_history.c.claim_id == claim_id).order_by(claim_history.c.id)
    return list((await session.execute(query)).all())


async def claims_page(
    session: AsyncSession,
    principal: Principal,
    *,
    practice_id: UUID | None,
    encounter_id: UUID | None,
    status: str | None,
    overdue: bool | None,
    limit: int,
    cursor: UUID | None,
) -> tuple[list[Any], UUID | None]:
    """A page of the tenant's claims in the practices the token allows, filtered; and the next cursor."""
    query = in_scope(
        select(claims).where(claims.c.tenant_id == principal.tenant_id), claims.c.practice_id, principal, practice_id
    )
    if encounter_id is not None:
        query = query.where(claims.c.encounter_id == encounter_id)
    if status is not None:
        query = query.where(claims.c.status == status)
    if overdue is not None:
        query = query.where(claims.c.overdue_at.is_not(None) if overdue else claims.c.overdue_at.is_(None))
    page, next_cursor = await keyset_page(session, query, claims.c.id, limit=limit, cursor=cursor)
    return list(page), next_cursor


async def interchange_text(session: AsyncSession, number: int) -> str | None:
    """The exact text of an interchange as it was stored to be sent."""
    query = select(submissions.c.content).where(submissions.c.interchange_number == number)
    return await session.scalar(query)
