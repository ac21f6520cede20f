"""The clearinghouse behind one interface. The simulator's HTTP API is the first adapter; a real clearinghouse
(SFTP or its own API) is another class with the same three methods."""

from dataclasses import dataclass
from typing import Protocol

import httpx
from claimstream_platform.errors import TransientError


class AlreadyReceived(Exception):
    """The clearinghouse has this interchange control number already: it was sent before and not answered."""


class Refused(Exception):
    """The clearinghouse refused the interchange as a whole (an envelope it cannot read)."""


@dataclass(frozen=True)
class Document:
    id: int
    kind: str
    content: str


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


class SimulatorGateway:
    def __init__(self, client: httpx.AsyncClient) -> None:
        """`client` carries the base URL and this installation's bearer token."""
        self._client = client

    @classmethod
    def connect(cls, base_url: str, token: str, *, timeout: float = 30) -> "SimulatorGateway":
        return cls(httpx.AsyncClient(base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=timeout))

    async def close(self) -> None:
        await self._client.aclose()

    async def submit(self, interchange: str) -> list[str]:
        response = await self._send("POST", "/v1/interchanges", content=interchange.encode("ascii"))
        if response.status_code == 409:
            raise AlreadyReceived()
        if response.status_code in (400, 413, 422):
            raise Refused(response.json().get("detail", "refused"))
        acknowledgments: list[str] = response.json()["acknowledgments"]
        return acknowledgments

    async def documents(self, kind: str) -> list[Document]:
        response = await self._send("GET", "/v1/inbox", params={"kind": kind, "limit": 200})
        return [Document(item["id"], item["kind"], item["content"]) for item in response.json()["items"]]

    async def done(self, document_id: int) -> None:
        await self._send("POST", f"/v1/inbox/{document_id}/ack")

    async def _send(self, method: str, path: str, **kwargs: object) -> httpx.Response:
        try:
            response = await self._client.request(method, path, **kwargs)  # type: ignore[arg-type]
        except httpx.TransportError as error:
            raise TransientError(f"clearinghouse unreachable: {type(error).__name__}") from error
        if response.status_code >= 500 or response.status_code in (401, 429):
            raise TransientError(f"clearinghouse answered {response.status_code}")
        return response
