"""A clearinghouse's real-time exchange: one interchange in (a 270, a 278 request), its answers back at once (271s,
278 responses). Eligibility and prior authorization both use it. The simulator's HTTP API is the adapter; what
comes back is untrusted and bounded in size.

An interchange carries its own SHA-256 as its `Idempotency-Key`: sent again byte for byte (a retry after a lost
answer, a crash between recording the question and its answer), it is the same request, which the clearinghouse
answers once and replays, so the payer sees one question. A clearinghouse that holds the interchange but will not
replay its answer (a 409 naming the same content: its key has expired) gives no documents: the services read that
as an answer that cannot be read, as they do an unreadable one."""

import logging
from hashlib import sha256
from pathlib import Path

import httpx

from claimstream_platform import partners
from claimstream_platform.errors import RuleViolation, TransientError

log = logging.getLogger(__name__)
MAX_RESPONSE_CHARS = 1024 * 1024
ATTEMPTS = 2
MAX_WAIT_SECONDS = 3.0
TIMEOUT_SECONDS = 15.0  # per attempt: a call takes at most ATTEMPTS of these and MAX_WAIT_SECONDS between them


class Refused(RuleViolation):
    """The clearinghouse refused the interchange (its reason, from the problem it answered): a 422, not a 500.
    Nothing was received, so nothing was asked."""


class RealTimeClearinghouse:
    def __init__(self, client: httpx.AsyncClient, token_file: Path) -> None:
        """`client` carries the base URL and the timeout; the bearer token is read from `token_file` at each call."""
        self._client = client
        self._token_file = token_file

    @classmethod
    def connect(cls, base_url: str, token_file: Path, *, timeout: float = TIMEOUT_SECONDS) -> "RealTimeClearinghouse":
        return cls(httpx.AsyncClient(base_url=base_url, timeout=timeout), token_file)

    async def close(self) -> None:
        await self._client.aclose()

    async def ask(self, interchange: str) -> list[str]:
        """The documents the clearinghouse answers the interchange with (the same ones each time it is sent)."""
        digest = sha256(interchange.encode("ascii")).hexdigest()
        response = await partners.send(
            self._client,
            "POST",
            "/v1/interchanges",
            auth=lambda: {**self._auth(), "Idempotency-Key": digest},
            attempts=ATTEMPTS,
            max_wait=MAX_WAIT_SECONDS,
            content=interchange.encode("ascii"),
        )
        if response.status_code == 409 and partners.json_object(response).get("content_sha256") == digest:
            log.warning("the clearinghouse holds this interchange and did not replay its answer")
            return []
        if response.status_code >= 400:
            raise Refused(str(partners.json_object(response).get("detail", response.status_code))[:300])
        answers = partners.json_object(response).get("responses")
        if not isinstance(answers, list) or not all(
            isinstance(a, str) and len(a) <= MAX_RESPONSE_CHARS for a in answers
        ):
            raise TransientError("the clearinghouse answered without its responses", retry_after=5)
        return answers

    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._token_file.read_text().strip()}"}
