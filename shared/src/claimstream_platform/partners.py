"""Calling a partner's HTTP API (a clearinghouse): a few attempts with backoff, honouring its Retry-After.

An outage (no connection, 5xx, 429) that outlasts the attempts is a `TransientError` carrying the partner's
Retry-After, so the caller's loop can wait that long; a refused credential (401/403) is `CredentialRefused`, for
an operator to act on; any other answer is returned as it is.
"""

import asyncio
from collections.abc import Callable

import httpx

from claimstream_platform.errors import TransientError


class CredentialRefused(Exception):
    """The partner does not accept our credential (401/403): nothing goes through until an operator fixes it."""


async def send(
    client: httpx.AsyncClient,
    method: str,
    path: str,
    *,
    auth: Callable[[], dict[str, str]],
    attempts: int,
    max_wait: float,
    **kwargs: object,
) -> httpx.Response:
    """`auth()` is asked for the headers at every attempt (a credential file may change between them)."""
    for attempt in range(1, attempts + 1):
        try:
            response = await client.request(method, path, headers=auth(), **kwargs)  # type: ignore[arg-type]
        except httpx.TransportError as error:
            failure = TransientError(f"partner unreachable: {type(error).__name__}")
        else:
            if response.status_code in (401, 403):
                raise CredentialRefused(f"the partner refused our credential ({response.status_code})")
            if response.status_code < 500 and response.status_code != 429:
                return response
            failure = TransientError(f"partner answered {response.status_code}", retry_after=retry_after(response))
        wait = failure.retry_after if failure.retry_after is not None else 0.5 * 2 ** (attempt - 1)
        if attempt == attempts or wait > max_wait:
            raise failure
        await asyncio.sleep(wait)
    raise AssertionError("unreachable")


def retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after", "")
    return min(float(value), 3600.0) if value.isdigit() else None


def json_object(response: httpx.Response) -> dict[str, object]:
    """The partner's answer as a JSON object, or {} when it is not one: what comes back is untrusted."""
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
