"""The consumer's check of an event's practice against its tenant, before any handler runs.

An event carries its tenant and, optionally, its practice. A practice the platform's registry does not know, or
knows as another tenant's, makes the event a dead letter (kind "practice"): a handler would otherwise file one
tenant's fact under another's practice. The registry is read once per practice per process (a practice never
changes tenant); an unknown practice is asked again next time (it may be set up a moment later).
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from uuid import UUID

from aiokafka import ConsumerRecord
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from claimstream_platform.messaging.dead_letters import DeadLetter
from claimstream_platform.messaging.envelope import DecodedEvent
from claimstream_platform.practices import owners

Decoded = list[tuple[ConsumerRecord[bytes, bytes], DecodedEvent]]


@dataclass
class PracticeCheck:
    """Which tenant each practice belongs to, as far as this process has asked."""

    _owners: dict[UUID, UUID] = field(default_factory=dict)

    async def split(
        self, sessionmaker: async_sessionmaker[AsyncSession], decoded: Decoded
    ) -> tuple[Decoded, list[DeadLetter]]:
        """The events whose practice (if any) is their tenant's, and dead letters for the others."""
        await self._learn(sessionmaker, [item.event.practice_id for _, item in decoded])
        kept: Decoded = []
        dead: list[DeadLetter] = []
        for record, item in decoded:
            reason = self.refusal(item.event.tenant_id, item.event.practice_id)
            if reason is None:
                kept.append((record, item))
            else:
                dead.append(DeadLetter(record, "practice", reason))
        return kept, dead

    async def handled(
        self, sessionmaker: async_sessionmaker[AsyncSession], items: Sequence[DecodedEvent]
    ) -> list[DecodedEvent]:
        """The events the consumer hands its handlers (a replay's: what it dead-lettered is no part of the history)."""
        await self._learn(sessionmaker, [item.event.practice_id for item in items])
        return [item for item in items if self.refusal(item.event.tenant_id, item.event.practice_id) is None]

    def refusal(self, tenant_id: UUID, practice_id: UUID | None) -> str | None:
        """Why the event may not be handled (ids only, never a payload value), or None."""
        if practice_id is None:
            return None
        owner = self._owners.get(practice_id)
        if owner is None:
            return f"practice {practice_id} is not a practice of this installation"
        if owner != tenant_id:
            return f"practice {practice_id} does not belong to tenant {tenant_id}"
        return None

    async def _learn(self, sessionmaker: async_sessionmaker[AsyncSession], wanted: Sequence[UUID | None]) -> None:
        unknown = {p for p in wanted if p is not None and p not in self._owners}
        if not unknown:
            return
        async with sessionmaker() as session:
            self._owners.update(await owners(session, unknown))
