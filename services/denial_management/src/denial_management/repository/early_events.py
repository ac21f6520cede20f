"""Events about a claim that came before the claim (`uow.early_events`): kept in the order they came, and taken,
in that order, when the claim arrives. Both sides hold the claim's lock first (`uow.claims.hold`), so whichever
comes second sees the first."""

from collections.abc import Iterable
from uuid import UUID

from claimstream_platform.contracts import IntegrationEvent, registered_events
from claimstream_platform.db import Repository
from claimstream_platform.many_rows import one_of
from sqlalchemy import delete

from denial_management.tables import early_events

e = early_events.c


class EarlyEvents(Repository):
    table = early_events

    async def keep(self, event: IntegrationEvent, claim_id: UUID) -> None:
        row = {
            "tenant_id": event.tenant_id,
            "claim_id": claim_id,
            "event_type": event.event_type,
            "payload": event.model_dump(mode="json"),
        }
        await self.session.execute(early_events.insert().values(row))

    async def take(self, claim_ids: Iterable[UUID]) -> list[IntegrationEvent]:
        """The events kept for these claims, removed, in the order they came."""
        wanted = list(set(claim_ids))
        if not wanted:
            return []
        taken = delete(early_events).where(one_of(e.claim_id, wanted)).returning(e.id, e.event_type, e.payload)
        kinds = registered_events()
        rows = sorted(await self.session.execute(taken), key=lambda row: row.id)
        return [kinds[row.event_type].model_validate(row.payload) for row in rows]
