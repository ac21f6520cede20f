"""Whose rows a read sees, written once for every repository of the read model: the caller's tenant, and the
practice it asked for (404 outside its token) or every practice its token may see."""

from typing import Any
from uuid import UUID

from claimstream_platform.auth import Principal
from claimstream_platform.db import Repository
from claimstream_platform.paging import in_scope
from sqlalchemy import Select, Table


class ReadModel(Repository):
    """A repository over the read model's tables (each names the one it reads most as `table`). Every table of
    the read model carries `tenant_id` and `practice_id`, so one filter serves them all: `mine` for a tenant's
    rows, `scoped` for the caller's."""

    def scoped(
        self, query: Select[Any], principal: Principal, practice_id: UUID | None, table: Table | None = None
    ) -> Select[Any]:
        """`query` over `table` (the repository's own unless named) kept to the caller's tenant and practices."""
        read = self.table if table is None else table
        return in_scope(query.where(self.mine(principal.tenant_id, read)), read.c.practice_id, principal, practice_id)
