"""A clearinghouse's inbox over its HTTP API: the documents it holds for us (277CAs for claim submission, 835s for
remittance posting), listed oldest first and acknowledged once stored. The simulator's API is the first adapter.

What comes back is untrusted: an answer without its list of items is a TransientError (the caller's loop asks
again at its next pass). The bearer token is read from its file at every call, so an operator who replaces an
expired credential does not need to restart the worker; `credential_changed` tells whether it was replaced since.
"""

from dataclasses import dataclass
from pathlib import Path

import httpx

from claimstream_platform import partners
from claimstream_platform.errors import TransientError


@dataclass(frozen=True)
class InboxDocument:
    id: int
    content: str  # of the kind asked for


class ClearinghouseInbox:
    def __init__(
        self,
        client: httpx.AsyncClient,
        token_file: Path | None = None,
        *,
        attempts: int,
        max_wait: float,
        page_size: int,
    ) -> None:
        """`client` carries the base URL; each call makes up to `attempts` tries with backoff, waiting at most
        `max_wait` seconds inside the call (a longer Retry-After goes back to the caller as a TransientError)."""
        self._client = client
        self._token_file = token_file
        self._token_stamp: float | None = None
        self._attempts, self._max_wait, self._page_size = attempts, max_wait, page_size

    async def close(self) -> None:
        await self._client.aclose()

    def credential_changed(self) -> bool:
        return self._token_file is not None and self._token_file.stat().st_mtime != self._token_stamp

    async def documents(self, kind: str) -> list[InboxDocument]:
        """The documents of one kind waiting in the inbox, oldest first (one page of them)."""
        response = await self.send("GET", "/v1/inbox", params={"kind": kind, "limit": self._page_size})
        items = partners.json_object(response).get("items") if response.status_code == 200 else None
        if not isinstance(items, list):
            raise TransientError(f"the clearinghouse inbox answered {response.status_code} without items")
        return [InboxDocument(int(item["id"]), str(item["content"])) for item in items if isinstance(item, dict)]

    async def done(self, document_id: int) -> None:
        """Remove a document from the inbox once its content is stored."""
        await self.send("POST", f"/v1/inbox/{document_id}/ack")

    async def send(self, method: str, path: str, **kwargs: object) -> httpx.Response:
        """Any call to the clearinghouse with our credential: bounded retries with backoff (partners.send)."""
        return await partners.send(
            self._client, method, path, auth=self._auth, attempts=self._attempts, max_wait=self._max_wait, **kwargs
        )

    def _auth(self) -> dict[str, str]:
        if self._token_file is None:
            return {}
        self._token_stamp = self._token_file.stat().st_mtime
        return {"Authorization": f"Bearer {self._token_file.read_text().strip()}"}
