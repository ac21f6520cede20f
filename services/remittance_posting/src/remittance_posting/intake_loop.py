"""The worker's loop: every pass takes the 835s waiting in the clearinghouse inbox, stores and posts each in its
own transaction, and only then acknowledges it, so a crash never loses one and a redelivered one posts once
(its SHA-256). A file that cannot be posted for another reason than an outage is kept, rejected with the error's
type, and acknowledged: it never blocks the files behind it. A file larger than the largest upload is rejected
unread (its hash and the reason kept, not its content): read whole, it would take the worker's memory."""

import logging

from claimstream_platform.db import SessionFactory
from claimstream_platform.engines import is_transient
from claimstream_platform.loops import PeriodicLoop

from remittance_posting import era, handlers
from remittance_posting.gateway import Document, Inbox
from remittance_posting.repository import PostingWork

log = logging.getLogger(__name__)


class IntakeLoop(PeriodicLoop):
    name = "remittance-posting.intake"

    def __init__(self, sessionmaker: SessionFactory, inbox: Inbox, interval: float) -> None:
        super().__init__(sessionmaker, interval)
        self._inbox = inbox

    async def run_once(self) -> None:
        for document in await self._inbox.remittances():
            await self._take(document)
            await self._inbox.done(document.id)

    async def _take(self, document: Document) -> None:
        source = f"inbox:{document.id}"
        if len(document.content) > era.MAX_FILE_BYTES:
            async with PostingWork(self._sessionmaker) as uow:
                await handlers.reject_unread(uow, document.content, source=source)
                await uow.commit()
            return
        try:
            async with PostingWork(self._sessionmaker) as uow:
                await handlers.receive(uow, document.content, source=source, tenant_id=None)
                await uow.commit()
        except Exception as error:
            if is_transient(error):
                raise
            log.error("835 rejected", extra={"document": document.id, "error": type(error).__name__})
            async with PostingWork(self._sessionmaker) as uow:
                reason = f"could not be posted: {type(error).__name__}"
                await handlers.reject_file(uow, document.content, source=source, reason=reason)
                await uow.commit()
