"""Practice set-up written and listed through the API (`uow.setup`): practices, providers, payers and policy
overrides (fee schedules are `uow.fee_schedules`). Callers check the tenant and practice first
(`uow.reference.practice_or_none`, `payer_or_none`); listings name the tenant, its filter written once (`mine`)."""

from typing import Any
from uuid import UUID, uuid4

from claimstream_platform import practices as practices_registry
from claimstream_platform.auth import Principal
from claimstream_platform.db import Repository
from claimstream_platform.errors import Conflict
from claimstream_platform.paging import OrderedPageRequest, in_scope, ordered_page
from sqlalchemy import Table, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Row

from charge_capture.tables import payer_policy_overrides, payers, practices, providers

TABLES = {"practices": practices, "providers": providers, "payers": payers}
# Each listing's order; the id last makes the sort key unique, as a keyset page needs.
ORDER = {
    "practices": [practices.c.name, practices.c.id],
    "providers": [providers.c.last_name, providers.c.id],
    "payers": [payers.c.payer_id, payers.c.id],
}


class Setup(Repository):
    table = practices

    async def insert_unique(self, kind: str, values: dict[str, Any], conflict: str, field: str) -> UUID:
        """Insert a set-up row with a new id; its unique constraint turns a duplicate into 409 naming `field`."""
        table: Table = TABLES[kind]
        row_id = uuid4()
        created = await self.session.scalar(
            insert(table).values(id=row_id, **values).on_conflict_do_nothing().returning(table.c.id)
        )
        if created is None:
            raise Conflict(conflict, field=field)
        return row_id

    async def register_practice(self, practice_id: UUID, tenant_id: UUID) -> None:
        """In the transaction that sets the practice up: the platform's registry says it is the tenant's, which every
        consumer checks an event's practice against."""
        await practices_registry.register(self.session, practice_id, tenant_id)

    async def page(
        self, kind: str, principal: Principal, page: OrderedPageRequest, practice_id: UUID | None = None
    ) -> tuple[list[Row[Any]], str | None]:
        """A page of the tenant's practices the token may see, or of one practice's providers or payers, in their
        listing order."""
        table = TABLES[kind]
        query = select(table).where(self.mine(principal.tenant_id, table))
        if practice_id is not None:
            query = query.where(table.c.practice_id == practice_id)
        else:  # the practices themselves: those the token may see
            query = in_scope(query, table.c.id, principal, None)
        return await ordered_page(self.session, query, ORDER[kind], limit=page.limit, cursor=page.cursor)

    async def put_policy(self, payer_ref: UUID, values: dict[str, Any]) -> None:
        """Set the payer's policy override from a date (the same date again: replaced)."""
        await self.bump_payer_revision(payer_ref)
        await self.session.execute(
            insert(payer_policy_overrides)
            .values(payer_ref=payer_ref, **values)
            .on_conflict_do_update(index_elements=["payer_ref", "effective_from"], set_=values)
        )

    async def policy_page(self, payer_ref: UUID, page: OrderedPageRequest) -> tuple[list[Row[Any]], str | None]:
        """A page of the payer's policy overrides, the earliest start first (the caller checked the payer is the
        tenant's: overrides are reached through it)."""
        query = select(payer_policy_overrides).where(payer_policy_overrides.c.payer_ref == payer_ref)
        order = [payer_policy_overrides.c.effective_from]
        return await ordered_page(self.session, query, order, limit=page.limit, cursor=page.cursor)

    async def bump_payer_revision(self, payer_ref: UUID) -> None:
        """In the same transaction as any change to a payer's fee schedules or policy overrides: the cache of payer
        set-ups (`reference`) is keyed by revision."""
        await self.session.execute(
            update(payers).where(payers.c.id == payer_ref).values(revision=payers.c.revision + 1)
        )
