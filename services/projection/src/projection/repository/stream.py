"""Stream health from the projection's own counts (`uow.stream`): events per minute per topic and type, for the
caller's tenant, or every tenant's for an installation operator (the method that says it crosses tenants)."""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from claimstream_platform.auth import Principal
from sqlalchemy import ColumnElement, func, select

from projection.repository.scope import ReadModel
from projection.tables import stream_counts


class Stream(ReadModel):
    table = stream_counts

    async def per_minute(self, principal: Principal, minutes: int) -> Sequence[Any]:
        """The tenant's events per minute, per topic and type."""
        return await self._per_minute(minutes, self.mine(principal.tenant_id))

    async def per_minute_across_tenants(self, minutes: int) -> Sequence[Any]:
        """Every tenant's events per minute together: an installation operator's view."""
        return await self._per_minute(minutes)

    async def _per_minute(self, minutes: int, *whose: ColumnElement[bool]) -> Sequence[Any]:
        since = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=minutes - 1)
        s = stream_counts.c
        query = (
            select(s.topic, s.event_type, s.minute, func.sum(s.count).label("count"))
            .where(s.minute >= since, *whose)
            .group_by(s.topic, s.event_type, s.minute)
            .order_by(s.minute, s.topic, s.event_type)
        )
        return (await self.session.execute(query)).all()
