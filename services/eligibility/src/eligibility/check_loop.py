"""Pending checks asked: every few seconds, a few checks the consumer stored (or whose asker went away) are sent as
270s and their answers recorded, each in the phases of handlers.py: the 270 written and stored in one transaction,
sent with none open, the answer recorded in another. A check sent less than `handlers.LEASE` ago is left to whoever
sent it; after that its stored 270 is sent again as it is (the clearinghouse answers it once). A clearinghouse
outage leaves the check pending for a later pass."""

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
    """One pending check asked; False when none is waiting. An outage (TransientError) leaves the check pending,
    its 270 stored, for a pass after the lease."""
    async with EligibilityWork(sessionmaker) as uow:
        taken = await uow.checks.next_pending(handlers.LEASE)
        if taken is None:
            return False
        check, inquiry = taken
        if inquiry is None:
            inquiry = await handlers.write_inquiry(uow, sender, check)
        else:
            await uow.checks.asking(check.id, inquiry)  # sent again as stored
        await uow.commit()
    documents = await clearinghouse.ask(inquiry)
    async with EligibilityWork(sessionmaker) as uow:
        await handlers.record(uow, check.id, inquiry, documents, None)
        await uow.commit()
    return True
