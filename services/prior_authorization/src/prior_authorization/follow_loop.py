"""Open requests followed: every few seconds, requests not yet sent (concurrent reviews and renewals) and pended
ones (once they have waited) are sent as 278s and their decisions recorded, each in its own transaction; then the
authorizations whose end is near are announced. A clearinghouse outage leaves a request open for the next pass."""

from claimstream_platform.dates import business_date
from claimstream_platform.db import SessionFactory
from claimstream_platform.loops import PeriodicLoop

from prior_authorization import handlers
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
        """One open request asked; False when none is waiting. An outage (TransientError) rolls the pass back."""
        async with PriorAuthorizationWork(self._sessionmaker) as uow:
            authorization = await uow.authorizations.next_open(pended_wait=self._pended_wait)
            if authorization is None:
                return False
            await handlers.ask(uow, self._clearinghouse, self._sender, authorization)
            await uow.commit()
            return True
