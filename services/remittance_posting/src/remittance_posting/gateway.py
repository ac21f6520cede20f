"""The clearinghouse inbox, where payers' 835s arrive: listed, then acknowledged once stored, through the
platform's `ClearinghouseInbox` (claim submission reads its 277CAs with it). Another clearinghouse (SFTP or its
own API) is another class with these two methods."""

from pathlib import Path
from typing import Protocol

import httpx
from claimstream_platform.clearinghouse_inbox import ClearinghouseInbox
from claimstream_platform.clearinghouse_inbox import InboxDocument as Document

__all__ = ["Document", "Inbox", "SimulatorInbox"]

ATTEMPTS, MAX_WAIT_SECONDS = 4, 30.0  # an outage is a TransientError: the loop tries again at its next pass


class Inbox(Protocol):
    async def remittances(self) -> list[Document]: ...

    async def done(self, document_id: int) -> None: ...


class SimulatorInbox(ClearinghouseInbox):
    def __init__(self, client: httpx.AsyncClient, token_file: Path | None = None) -> None:
        super().__init__(client, token_file, attempts=ATTEMPTS, max_wait=MAX_WAIT_SECONDS, page_size=100)

    @classmethod
    def connect(cls, base_url: str, token_file: Path, *, timeout: float = 30) -> "SimulatorInbox":
        return cls(httpx.AsyncClient(base_url=base_url, timeout=timeout), token_file)

    async def remittances(self) -> list[Document]:
        return await self.documents("835")
