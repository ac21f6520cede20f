"""Pending checks asked: every few seconds, a few checks the consumer stored are sent as 270s and their answers
recorded, each in its own transaction. A clearinghouse outage leaves a check pending for the next pass."""

from claimstream_platform.db import SessionFactory
from claimstream_platform.loops import PeriodicLoop

from eligibility import handlers
from eligibility.repository import EligibilityWork

BATCH = 20


class PendingChecks(PeriodicLoop):
    name = "eligibility.pending-checks"

    def __init__(
        self,
        sessionmaker: SessionFactory,
        clearinghouse: handlers.Clearinghouse,
        sender: handlers.Sender,
        *,
        interval: float,
    ) -> None:
        super().__init__(sessionmaker, interval)
        self._clearinghouse, self._sender = clearinghouse, sender

    async def run_once(self) -> None:
        for _ in range(BATCH):
            if not await ask_one(self._sessionmaker, self._clearinghouse, self._sender):
                return


async def ask_one(sessionmaker: SessionFactory, clearinghouse: handlers.Clearinghouse, sender: handlers.Sender) -> bool:
    """One pending check asked; False when none is waiting. An outage (TransientError) rolls the pass back, so the
    check stays pending for the loop's next pass."""
    async with EligibilityWork(sessionmaker) as uow:
        check = await uow.checks.next_pending()
        if check is None:
            return False
        await handlers.ask(uow, clearinghouse, sender, check, None)
        await uow.commit()
        return True
