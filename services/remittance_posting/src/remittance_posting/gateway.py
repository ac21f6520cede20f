"""The clearinghouse inbox, where payers' 835s arrive: listed, then acknowledged once stored. The simulator's
HTTP API is the first adapter; another clearinghouse (SFTP or its own API) is another class with these two
methods. The bearer token is read from its file again whenever the file changes."""

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import httpx
from claimstream_platform import partners
from claimstream_platform.errors import TransientError

ATTEMPTS, MAX_WAIT_SECONDS = 4, 30.0


@dataclass(frozen=True)
class Document:
    id: int
    content: str


class Inbox(Protocol):
    async def remittances(self) -> list[Document]: ...

    async def done(self, document_id: int) -> None: ...


class SimulatorInbox:
    def __init__(self, client: httpx.AsyncClient, token_file: Path | None = None) -> None:
        self._client, self._token_file = client, token_file

    @classmethod
    def connect(cls, base_url: str, token_file: Path, *, timeout: float = 30) -> "SimulatorInbox":
        return cls(httpx.AsyncClient(base_url=base_url, timeout=timeout), token_file)

    async def close(self) -> None:
        await self._client.aclose()

    async def remittances(self) -> list[Document]:
        response = await self._send("GET", "/v1/inbox", params={"kind": "835", "limit": 100})
        items = response.json().get("items") if response.status_code == 200 else None
        if not isinstance(items, list):
            raise TransientError(f"the clearinghouse inbox answered {response.status_code} without items")
        return [Document(int(i["id"]), str(i["content"])) for i in items if isinstance(i, dict)]

    async def done(self, document_id: int) -> None:
        await self._send("POST", f"/v1/inbox/{document_id}/ack")

    async def _send(self, method: str, path: str, **kwargs: object) -> httpx.Response:
        """A few attempts with backoff; an outage is a TransientError (the loop tries again at its next pass)."""
        return await partners.send(
            self._client, method, path, auth=self._auth, attempts=ATTEMPTS, max_wait=MAX_WAIT_SECONDS, **kwargs
        )

    def _auth(self) -> dict[str, str]:
        if self._token_file is None:
            return {}
        return {"Authorization": f"Bearer {self._token_file.read_text().strip()}"}
