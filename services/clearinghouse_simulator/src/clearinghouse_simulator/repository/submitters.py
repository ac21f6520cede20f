"""The simulator's tenant filter, written once: its tenants are its submitters (the token's tenant is the submitter
of what the clearinghouse receives and of the inbox it keeps), so its tables carry `submitter`, not `tenant_id`."""

from typing import Any
from uuid import UUID

from claimstream_platform.db import Repository
from sqlalchemy import Table
from sqlalchemy.sql.elements import ColumnElement


class SubmitterRepository(Repository):
    """A repository over rows kept per submitter: `mine` is its table's; `of` the same filter on another table it
    reads (one per table, each written here)."""

    def mine(self, tenant_id: UUID, table: Table | None = None) -> ColumnElement[bool]:
        """The submitter's rows of `table` (the repository's own unless named; the submitter is the caller's
        tenant)."""
        return self.of(self.table if table is None else table, tenant_id)

    @staticmethod
    def of(table: Table, submitter: UUID) -> ColumnElement[bool]:
        column: ColumnElement[Any] = table.c.submitter
        return column == submitter
