"""The clearinghouse behind one interface. The simulator's HTTP API is the first adapter; a real clearinghouse
(SFTP or its own API) is another class with the same three methods.

Everything that comes back is untrusted: sizes are bounded, and a 409 counts as "already received" only when the
clearinghouse's copy hashes to ours. The inbox half (listing and acknowledging documents, the credential read
from its file) is the platform's `ClearinghouseInbox`, which remittance posting reads its 835s with.
"""

from hashlib import sha256
from pathlib import Path
from typing import Protocol

import httpx
from claimstream_platform import partners
from claimstream_platform.clearinghouse_inbox import ClearinghouseInbox
from claimstream_platform.clearinghouse_inbox import InboxDocument as Document
from claimstream_platform.partners import CredentialRefused

__all__ = ["AlreadyReceived", "CredentialRefused", "Document", "Gateway", "Refused", "SimulatorGateway"]

MAX_DOCUMENT_CHARS = 5 * 1024 * 1024  # a 277CA or 999 larger than this is quarantined unread
ATTEMPTS = 3  # per call, with backoff; past that the caller waits (the interchange's not_before)
MAX_WAIT_SECONDS = 5.0  # the longest we wait inside one call; a longer Retry-After goes back to the caller


class AlreadyReceived(Exception):
    """The clearinghouse has this interchange, byte for byte: it was sent before and not answered."""


class Refused(Exception):
    """The clearinghouse refused the interchange as a whole (an envelope it cannot read), or holds other content
    under its control number."""


def content_hash(interchange: str) -> str:
    return sha256(interchange.encode("ascii")).hexdigest()


class Gateway(Protocol):
    async def submit(self, interchange: str) -> list[str]:
        """Send one interchange; its 999s."""
        ...

    async def documents(self, kind: str) -> list[Document]:
        """Responses waiting in the inbox (277CA, 835), oldest first."""
        ...

    async def done(self, document_id: int) -> None:
        """Remove a document from the inbox once its content is stored."""
        ...


class SimulatorGateway(ClearinghouseInbox):
    def __init__(self, client: httpx.AsyncClient, token_file: Path | None = None) -> None:
        """`client` carries the base URL; the bearer token is read from `token_file` again whenever it changes,
        so an operator who replaces an expired credential does not need to restart the worker."""
        super().__init__(client, token_file, attempts=ATTEMPTS, max_wait=MAX_WAIT_SECONDS, page_size=200)

    @classmethod
    def connect(cls, base_url: str, token_file: Path, *, timeout: float = 30) -> "SimulatorGateway":
        return cls(httpx.AsyncClient(base_url=base_url, timeout=timeout), token_file)

    async def submit(self, interchange: str) -> list[str]:
        response = await self.send("POST", "/v1/interchanges", content=interchange.encode("ascii"))
        if response.status_code == 409:
            theirs = partners.json_object(response).get("content_sha256")
            if theirs == content_hash(interchange):
                raise AlreadyReceived()
            raise Refused("the clearinghouse holds other content under this interchange control number")
        if response.status_code in (400, 413, 422):
            raise Refused(str(partners.json_object(response).get("detail", "refused"))[:300])
        acknowledgments = partners.json_object(response).get("acknowledgments")
        if not isinstance(acknowledgments, list) or not all(isinstance(a, str) for a in acknowledgments):
            raise Refused("the clearinghouse answered without 999s")
        return acknowledgments
