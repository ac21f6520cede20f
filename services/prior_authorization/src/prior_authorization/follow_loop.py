"""Open requests followed: every few seconds, requests not yet sent (concurrent reviews and renewals), pended ones
(once they have waited) and ones whose asker went away are sent as 278s and their decisions recorded, each in the
phases of handlers.py: the 278 written and stored in one transaction, sent with none open, the decision recorded in
another. A request sent less than `handlers.LEASE` ago is left to whoever sent it; after that its stored 278 is sent
again as it is (the clearinghouse answers it once). Then the authorizations whose end is near are announced. A
clearinghouse outage leaves a request open for a later pass."""

from collections.abc import Callable
from functools import partial

from claimstream_platform.dates import business_date
from claimstream_platform.db import SessionFactory
from claimstream_platform.loops import PeriodicLoop

from prior_authorization import handlers
from prior_authorization.domain import Authorization
from prior_authorization.repository import PriorAuthorizationWork

BATCH = 20


class OpenRequests(PeriodicLoop):
    name = "prior-authorization.open-requests"

    def __init__(
        self,
        sessionmaker: SessionFactory,
        clearinghouse: handlers.Clearinghouse,
        sender: handlers.Sender,
        *,
        interval: float,
        pended_wait: float,
    ) -> None:
        super().__init__(sessionmaker, interval)
        self._clearinghouse, self._sender, self._pended_wait = clearinghouse, sender, pended_wait

    async def run_once(self) -> None:
        for _ in range(BATCH):
            if not await self.ask_one():
                break
        async with PriorAuthorizationWork(self._sessionmaker) as uow:
            await handlers.announce_endings(uow, business_date())
            await uow.commit()

    async def ask_one(self) -> bool:
        """One open request asked; False when none is waiting."""
        make_uow = partial(PriorAuthorizationWork, self._sessionmaker)
        return await ask_one(make_uow, self._clearinghouse, self._sender, pended_wait=self._pended_wait) is not None


async def ask_one(
    make_uow: Callable[[], PriorAuthorizationWork],
    clearinghouse: handlers.Clearinghouse,
    sender: handlers.Sender,
    *,
    pended_wait: float,
) -> Authorization | None:
    """One open request asked, and as it stands after; None when none is waiting. An outage (TransientError) leaves
    it open, its 278 stored, for a pass after the lease."""
    async with make_uow() as uow:
        taken = await uow.authorizations.next_open(pended_wait=pended_wait, lease=handlers.LEASE)
        if taken is None:
            return None
        authorization, inquiry = taken
        if inquiry is None:
            inquiry = await handlers.write_inquiry(uow, sender, authorization)
        else:
            await uow.authorizations.asking(authorization.id, inquiry)  # sent again as stored
        await uow.commit()
    documents = await clearinghouse.ask(inquiry)
    async with make_uow() as uow:
        found = await handlers.record(uow, authorization.id, inquiry, documents)
        await uow.commit()
    return found
