"""The rebuild's runs (`uow.rebuilds`): each run's row, written as it goes on short transactions of its own
(rebuild_progress.py, as the owner), and the latest runs for installation operators. The installation's, no
tenant's: the table has no tenant_id, so no tenant filter (and no wall) applies."""

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from claimstream_platform.db import Repository
from sqlalchemy import func, insert, select, update

from projection import runs
from projection.tables import rebuilds


class Rebuilds(Repository):
    table = rebuilds

    async def begin(self, run_id: UUID, phase: str) -> None:
        now = func.now()
        await self.session.execute(insert(rebuilds).values(id=run_id, phase=phase, started_at=now, updated_at=now))

    async def note(self, run_id: UUID, phase: str, total: int | None, done: int, outcome: str | None) -> None:
        """The run as it stands now; its end time too once its phase is an end."""
        values: dict[str, Any] = {"phase": phase, "records_total": total, "records_done": done, "outcome": outcome}
        values |= {"updated_at": func.now()} | ({"finished_at": func.now()} if phase in runs.ENDED else {})
        await self.session.execute(update(rebuilds).where(rebuilds.c.id == run_id).values(**values))

    async def latest(self, limit: int) -> Sequence[Any]:
        """The latest runs, newest first, each with the database's clock (`now`), the one that wrote `updated_at`."""
        query = (
            select(rebuilds, func.now().label("now")).order_by(rebuilds.c.started_at.desc(), rebuilds.c.id).limit(limit)
        )
        return (await self.session.execute(query)).all()
