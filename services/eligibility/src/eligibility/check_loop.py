"""Pending checks asked: every few seconds, a few checks the consumer stored (or whose asker went away) are sent as
270s and their answers recorded, in the phases of handlers.py: the pass's 270s written and stored in one
transaction, sent one by one with none open, each answer recorded in a transaction of its own. A check sent less
than `handlers.LEASE` ago is left to whoever sent it; after that its stored 270 is sent again as it is (the
clearinghouse answers it once). A clearinghouse outage leaves the checks not yet answered pending for a later pass."""

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
        await ask_some(self._sessionmaker, self._clearinghouse, self._sender, limit=BATCH)


async def ask_one(sessionmaker: SessionFactory, clearinghouse: handlers.Clearinghouse, sender: handlers.Sender) -> bool:
    """One pending check asked; False when none is waiting."""
    return await ask_some(sessionmaker, clearinghouse, sender, limit=1) > 0


async def ask_some(
    sessionmaker: SessionFactory, clearinghouse: handlers.Clearinghouse, sender: handlers.Sender, *, limit: int
) -> int:
    """Up to `limit` pending checks asked; how many were taken. A failure to send (an outage: TransientError) is
    raised: the answers before it are recorded already, and the checks not answered stay pending, their 270s
    stored, for a pass after the lease."""
    async with EligibilityWork(sessionmaker) as uow:
        taken = await uow.checks.next_pending(handlers.LEASE, limit)
        written = []
        for check, inquiry in taken:
            if inquiry is None:
                inquiry = await handlers.write_inquiry(uow, sender, check)
            else:
                await uow.checks.asking(check.id, inquiry)  # sent again as stored
            written.append((check, inquiry))
        await uow.commit()
    for check, inquiry in written:
        documents = await clearinghouse.ask(inquiry)
        async with EligibilityWork(sessionmaker) as uow:
            await handlers.record(uow, check.id, inquiry, documents, None)
            await uow.commit()
    return len(written)
