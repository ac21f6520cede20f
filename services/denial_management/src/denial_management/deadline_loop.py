"""Deadlines coming close: every working case's priority is computed again for today (it rises as its deadline
nears, deadlines.priority), and each whose deadline is within `warn_days` is announced once
(`DenialDeadlineApproaching`)."""

from datetime import timedelta

from claimstream_platform.dates import business_date
from claimstream_platform.db import SessionFactory
from claimstream_platform.loops import PeriodicLoop

from denial_management.handlers import publish_saved
from denial_management.repository import DenialWork


async def warn_due(uow: DenialWork, *, warn_days: int) -> int:
    """Priorities raised as deadlines near, and the cases now within `warn_days` of theirs announced."""
    day = business_date()
    await uow.cases.reprioritize(day)
    due = await uow.cases.lock_due(day + timedelta(days=warn_days))
    for case in due:
        case.deadline_near(day)
    await publish_saved(uow, due)
    await uow.cases.mark_warned([case.id for case in due])
    return len(due)


class DeadlineLoop(PeriodicLoop):
    name = "denial-management.deadlines"

    def __init__(self, sessionmaker: SessionFactory, *, warn_days: int, interval: float) -> None:
        super().__init__(sessionmaker, interval)
        self._warn_days = warn_days

    async def run_once(self) -> None:
        async with DenialWork(self._sessionmaker) as uow:
            await warn_due(uow, warn_days=self._warn_days)
            await uow.commit()
