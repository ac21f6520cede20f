"""What each captured charge used of an authorization's lines (`uow.consumptions`; the tenant filter written once,
`mine`): one row per line and encounter version, with what
it used within the line and what it went over."""

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from claimstream_platform.contracts.charge_capture import ChargeCaptured
from claimstream_platform.db import Repository
from claimstream_platform.paging import OrderedPageRequest, ordered_page
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert

from prior_authorization.lines import Draw
from prior_authorization.tables import consumptions

c = consumptions.c


class Consumptions(Repository):
    table = consumptions

    async def counted(self, tenant_id: UUID, encounter_id: UUID, version: int) -> bool:
        """Whether this encounter version drew on any authorization already (a redelivered charge)."""
        query = select(c.authorization_id).where(
            self.mine(tenant_id), c.encounter_id == encounter_id, c.version == version
        )
        return await self.session.scalar(query.limit(1)) is not None

    async def record(self, authorization_id: UUID, draw: Draw, event: ChargeCaptured) -> None:
        statement = insert(consumptions).values(
            authorization_id=authorization_id,
            line_number=draw.line,
            tenant_id=event.tenant_id,
            encounter_id=event.encounter_id,
            version=event.version,
            service_date=event.service_date,
            used=draw.used,
            over_drawn=draw.over,
        )
        await self.session.execute(statement.on_conflict_do_nothing())

    async def standing(self, tenant_id: UUID, encounter_id: UUID, version: int) -> list[Any]:
        """What that encounter version used and has not given back, locked."""
        query = select(consumptions).where(
            self.mine(tenant_id), c.encounter_id == encounter_id, c.version == version, c.returned_at.is_(None)
        )
        return list(await self.session.execute(query.order_by(c.authorization_id, c.line_number).with_for_update()))

    async def returned(self, rows: list[Any]) -> None:
        for row in rows:
            key = (c.authorization_id, c.line_number, c.encounter_id, c.version)
            same = [column == getattr(row, column.name) for column in key]
            await self.session.execute(update(consumptions).where(*same).values(returned_at=datetime.now(UTC)))

    async def history(self, authorization_id: UUID, page: OrderedPageRequest) -> tuple[list[Any], str | None]:
        """A page of what used the authorization, the latest use first (the caller has found the authorization in
        its scope: its uses are reached through it)."""
        query = select(consumptions).where(c.authorization_id == authorization_id)
        order = [c.consumed_at, c.encounter_id, c.line_number, c.version]
        return await ordered_page(self.session, query, order, limit=page.limit, cursor=page.cursor, newest_first=True)
