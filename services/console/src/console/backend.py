"""The console's one door to the services: their public APIs over HTTP, with the signed-in person's own token.

Every call carries the caller's bearer token, so each service applies its own walls (tenant, practices, role)
and leaves its own access-log row, exactly as for any other client: the console adds no power of its own. A
refusal comes back as `Refused` with the service's RFC 9457 problem (shown on the page as it was given); a
service down, overloaded or slow as `Unavailable` (the page answers 503 with Retry-After).
"""

from collections.abc import Awaitable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

TIMEOUT = httpx.Timeout(10.0, connect=2.0)  # a read; a command that waits on a payer or the broker says its own


class Unavailable(Exception):
    """A service down, overloaded (503) or asking the caller to wait (429: `busy`)."""

    def __init__(self, service: str, retry_after: int = 5, *, busy: bool = False) -> None:
        super().__init__(f"{service} is not answering")
        self.service, self.retry_after, self.busy = service, retry_after, busy


class Refused(Exception):
    """A 4xx from a service: its problem's status, title, detail and the fields it names."""

    def __init__(self, status: int, problem: Mapping[str, Any]) -> None:
        super().__init__(str(problem.get("detail") or problem.get("title") or status))
        self.status = status
        self.title = str(problem.get("title") or "Refused")
        self.detail = str(problem.get("detail") or "")
        errors = problem.get("errors") or []
        self.fields = {str(error.get("field")) for error in errors if isinstance(error, dict)} | {
            str(problem.get("field"))
        }


@dataclass(frozen=True)
class Issued:
    token: str
    expires_at: datetime


@dataclass
class Backend:
    urls: Mapping[str, str]  # service package -> its base URL
    client: httpx.AsyncClient

    async def get(self, token: str, service: str, path: str, params: Mapping[str, Any] | None = None) -> Any:
        response = await self.call(token, "GET", service, path, params=_present(params or {}))
        return response.json()

    async def post(
        self, token: str, service: str, path: str, body: Any, *, key: str | None = None, seconds: float | None = None
    ) -> Any:
        """A command; `key` is the form's idempotency key, so a form sent twice acts once; `seconds` the wait of a
        command that asks a payer while the person waits (longer than a read's)."""
        return await self._command("POST", token, service, path, body, key, seconds)

    async def put(self, token: str, service: str, path: str, body: Any, *, key: str | None = None) -> Any:
        """A record set whole (a practice's enrollment with a payer, a fee schedule's version)."""
        return await self._command("PUT", token, service, path, body, key, None)

    async def patch(self, token: str, service: str, path: str, body: Any) -> Any:
        """Part of a record changed (a person's roles and practices)."""
        return await self._command("PATCH", token, service, path, body, None, None)

    async def _command(
        self, method: str, token: str, service: str, path: str, body: Any, key: str | None, seconds: float | None
    ) -> Any:
        headers = {"Idempotency-Key": key} if key else {}
        timeout = httpx.Timeout(seconds, connect=2.0) if seconds else TIMEOUT
        response = await self.call(token, method, service, path, json=body, headers=headers, timeout=timeout)
        return response.json() if response.content else None

    async def call(self, token: str | None, method: str, service: str, path: str, **kwargs: Any) -> httpx.Response:
        """One request (`token` None: a public route, signing in); a refusal or an outage raised as above."""
        headers = {**({"Authorization": f"Bearer {token}"} if token else {}), **kwargs.pop("headers", {})}
        try:
            response = await self.client.request(method, self.urls[service] + path, headers=headers, **kwargs)
        except httpx.HTTPError as error:
            raise Unavailable(service) from error
        if response.status_code == 429 or response.status_code >= 500:
            raise Unavailable(service, _retry_after(response), busy=response.status_code == 429)
        if response.status_code >= 400:
            raise Refused(response.status_code, _problem(response))
        return response

    async def sign_in(self, email: str, password: str, *, operator: bool) -> Issued:
        path = "/v1/operators/sign-in" if operator else "/v1/sign-in"
        return _issued(
            (await self.call(None, "POST", "identity", path, json={"email": email, "password": password})).json()
        )

    async def renew(self, token: str) -> Issued:
        return _issued((await self.call(token, "POST", "identity", "/v1/session/renew")).json())

    async def sign_out(self, token: str) -> None:
        await self.call(token, "POST", "identity", "/v1/session/sign-out")


async def unless_missing(read: Awaitable[Any]) -> Any:
    """What a read answers, or None where its service has nothing there yet (404): a part of a page shown as
    none (a claim the projection knows before claim submission answers; a payer with no contract rates)."""
    try:
        return await read
    except Refused as refused:
        if refused.status == 404:
            return None
        raise


def _issued(body: Mapping[str, Any]) -> Issued:
    return Issued(str(body["access_token"]), datetime.fromisoformat(str(body["expires_at"])))


def _present(params: Mapping[str, Any]) -> dict[str, Any]:
    """A form's empty fields are filters not set, not filters for the empty string."""
    return {name: value for name, value in params.items() if value not in (None, "")}


def _retry_after(response: httpx.Response) -> int:
    try:
        return max(1, int(response.headers.get("Retry-After", "5")))
    except ValueError:
        return 5


def _problem(response: httpx.Response) -> Mapping[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {"title": response.reason_phrase}
    return body if isinstance(body, dict) else {"title": response.reason_phrase}
