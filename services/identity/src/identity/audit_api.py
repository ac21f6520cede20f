"""The access log, read by a tenant's auditor: who read or changed what, when, from where and with what outcome, in
the order the log chained it. HTTP only."""

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from claimstream_platform.access import allow
from claimstream_platform.auth import Role
from claimstream_platform.web import CurrentPrincipal
from fastapi import APIRouter, Query
from pydantic import BaseModel

from identity.api import IdentityWorkDep
from identity.repository.access_log import AuditQuery

router = APIRouter(tags=["access log"])


class AccessOut(BaseModel):
    seq: int
    access_id: UUID
    occurred_at: datetime
    service: str
    actor: str
    actor_kind: str
    audit: str
    action: str
    resource: dict[str, str]
    status: int
    client: str | None
    correlation_id: UUID | None
    hash: str


class AccessPage(BaseModel):
    items: list[AccessOut]
    next_cursor: int | None


def _out(row: Any) -> AccessOut:
    fields = {name: getattr(row, name) for name in AccessOut.model_fields}
    return AccessOut(**fields)


@router.get("/v1/audit", response_model=AccessPage, openapi_extra=allow(Role.AUDITOR))
async def access_log(
    principal: CurrentPrincipal,
    uow: IdentityWorkDep,
    since: datetime | None = None,
    until: datetime | None = None,
    actor: Annotated[str | None, Query(max_length=200)] = None,
    action: Annotated[
        str | None, Query(max_length=300, description='a route, e.g. "GET /v1/claims/{claim_id}"')
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    cursor: Annotated[int | None, Query(ge=0)] = None,
) -> AccessPage:
    """Your tenant's rows, oldest first, from `since` (inclusive) to `until` (exclusive), by `actor` (a token's
    subject) or `action`; `next_cursor` asks for the next page."""
    principal.require_whole_tenant("the access log")  # every practice's reads and changes
    query = AuditQuery(since=since, until=until, actor=actor, action=action)
    async with uow:
        rows, next_cursor = await uow.access_log.page(principal.tenant_id, query, limit=limit, cursor=cursor)
    return AccessPage(items=[_out(row) for row in rows], next_cursor=next_cursor)
