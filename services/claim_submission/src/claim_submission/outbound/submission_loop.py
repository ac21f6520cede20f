"""The submission loop: the worker's periodic pass over the claims (batch, send, read the answers, watch)."""

import logging
from datetime import timedelta

from claimstream_platform.db import SessionFactory
from claimstream_platform.loops import PeriodicLoop

from claim_submission.gateway import CredentialRefused, SimulatorGateway
from claim_submission.inbound.watch import flag_overdue
from claim_submission.outbound import submit
from claim_submission.repository import ClaimWork

log = logging.getLogger(__name__)


class SubmissionLoop(PeriodicLoop):
    """Batch, send, read 277CAs, flag overdue claims, every `interval` seconds, until stopped. A refused
    credential stops all calls to the clearinghouse until the credential file changes: an operator sees it (the
    loop's heartbeat carries it), nothing retries it silently."""

    name = "claim-submission.submission"

    def __init__(
        self,
        sessionmaker: SessionFactory,
        gateway: SimulatorGateway,
        envelope: submit.Envelope,
        interval: float,
        overdue_after: timedelta = timedelta(hours=72),
    ) -> None:
        super().__init__(sessionmaker, interval)
        self._gateway = gateway
        self._envelope = envelope
        self._overdue_after = overdue_after
        self._credential_refused = False

    def _uow(self) -> ClaimWork:
        return ClaimWork(self._sessionmaker)

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

    def failed(self, failure: Exception) -> str:
        if isinstance(failure, CredentialRefused):
            log.error("submission stopped: clearinghouse credential refused", extra={"loop": self.name})
            return str(failure)
        return super().failed(failure)
