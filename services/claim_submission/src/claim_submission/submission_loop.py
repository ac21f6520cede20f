"""The submission loop: the worker's periodic pass over the claims (batch, send, read the answers, watch)."""

import asyncio
import logging
from datetime import timedelta

from claimstream_platform import heartbeats
from claimstream_platform.db import UnitOfWork
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from claim_submission import submit
from claim_submission.gateway import CredentialRefused, SimulatorGateway
from claim_submission.watch import flag_overdue

log = logging.getLogger(__name__)


class SubmissionLoop:
    """Batch, send, read 277CAs, flag overdue claims, every `interval` seconds, until stopped. Each pass is
    recorded as a heartbeat (`/readyz` shows a stalled or failing loop). A refused credential stops all calls to
    the clearinghouse until the credential file changes: an operator sees it, nothing retries it silently."""

    NAME = "claim-submission.submission"

    def __init__(
        self, sessionmaker: async_sessionmaker[AsyncSession], gateway: SimulatorGateway, envelope: submit.Envelope,
        interval: float, overdue_after: timedelta = timedelta(hours=72),
    ) -> None:  # fmt: skip
        self._sessionmaker = sessionmaker
        self._gateway = gateway
        self._envelope = envelope
        self._interval = interval
        self._overdue_after = overdue_after
        self._credential_refused = False
        self._stopping = asyncio.Event()

    def _uow(self) -> UnitOfWork:
        return UnitOfWork(self._sessionmaker)

    async def run_once(self) -> None:
        await submit.batch(self._uow(), self._envelope)
        if self._credential_refused and not self._gateway.credential_changed():
            raise CredentialRefused("the clearinghouse refused our credential; replace the token file")
        self._credential_refused = False
        try:
            await submit.send(self._uow, self._gateway)
            await submit.read_statuses(self._uow, self._gateway)
        except CredentialRefused:
            self._credential_refused = True
            raise
        await flag_overdue(self._uow(), after=self._overdue_after)

    async def run(self) -> None:
        while not self._stopping.is_set():
            error: str | None = None
            try:
                await self.run_once()
            except CredentialRefused as refused:
                error = str(refused)
                log.error("submission stopped: clearinghouse credential refused", extra={"loop": self.NAME})
            except Exception as failure:  # the database or the clearinghouse is away: try again next tick
                error = type(failure).__name__
                log.warning("submission loop failed", extra={"loop": self.NAME, "error": error})
            try:
                await heartbeats.beat(self._sessionmaker, self.NAME, self._interval, error=error)
            except Exception as failure:
                log.warning("heartbeat not recorded", extra={"loop": self.NAME, "error": type(failure).__name__})
            try:
                await asyncio.wait_for(self._stopping.wait(), timeout=self._interval)
            except TimeoutError:
                pass

    def stop(self) -> None:
        self._stopping.set()
