"""Tenant and practice scoping for every read, written once: the caller's tenant, and the practice it asked for
(404 outside its token) or every practice its token may see."""

from typing import Any
from uuid import UUID

from claimstream_platform.auth import Principal
from claimstream_platform.paging import in_scope
from sqlalchemy import Select, Table


def scoped(query: Select[Any], table: Table, principal: Principal, practice_id: UUID | None) -> Select[Any]:
    query = query.where(table.c.tenant_id == principal.tenant_id)
    return in_scope(query, table.c.practice_id, principal, practice_id)
