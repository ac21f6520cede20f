"""Stream health from the projection's own counts (`uow.stream`): events per minute per topic and type, for the
caller's tenant."""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from claimstream_platform.auth import Principal
from sqlalchemy import func, select

from projection.repository.scope import ReadModel
from projection.tables import stream_counts


class Stream(ReadModel):
    table = stream_counts

    async def per_minute(self, principal: Principal, minutes: int) -> Sequence[Any]:
        since = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=minutes - 1)
        s = stream_counts.c
        query = (
            select(s.topic, s.event_type, s.minute, func.sum(s.count).label("count"))
            .where(self.mine(principal.tenant_id), s.minute >= since)
            .group_by(s.topic, s.event_type, s.minute)
            .order_by(s.minute, s.topic, s.event_type)
        )
        return (await self.session.execute(query)).all()
