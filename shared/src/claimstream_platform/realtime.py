"""A clearinghouse's real-time exchange: one interchange in (a 270, a 278 request), its answers back at once (271s,
278 responses). Eligibility and prior authorization both use it. The simulator's HTTP API is the adapter; what
comes back is untrusted and bounded in size."""

from pathlib import Path

import httpx

from claimstream_platform import partners
from claimstream_platform.errors import RuleViolation, TransientError

MAX_RESPONSE_CHARS = 1024 * 1024
ATTEMPTS = 2
MAX_WAIT_SECONDS = 3.0


class Refused(RuleViolation):
    """The clearinghouse refused the interchange (its reason, from the problem it answered): a 422, not a 500."""


class RealTimeClearinghouse:
    def __init__(self, base_url: str, token_file: Path, *, timeout: float = 15) -> None:
        self._client = httpx.AsyncClient(base_url=base_url, timeout=timeout)
        self._token_file = token_file

    async def close(self) -> None:
        await self._client.aclose()

    async def ask(self, interchange: str) -> list[str]:
        """The documents the clearinghouse answers the interchange with."""
        response = await partners.send(
            self._client,
            "POST",
            "/v1/interchanges",
            auth=self._auth,
            attempts=ATTEMPTS,
            max_wait=MAX_WAIT_SECONDS,
            content=interchange.encode("ascii"),
        )
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
