"""Load shedding on charge capture's own app, built by the kit as in production (reliability scenarios 11 and 21).

Slow requests hold their slots: bodies that do not come until the test lets them. With the process's bound
reached, the next request is answered 503 with Retry-After at once, its body unread; a tenant holding its share of
a busy process is answered 429 while another tenant's request is taken; health and metrics stay open.
"""

import asyncio
from collections.abc import AsyncIterator
from uuid import uuid4

import httpx
import pytest
from charge_capture.service import SERVICE
from claimstream_devtools.testing import Keys, StackUnderTest, service_client, service_settings
from claimstream_platform.settings import ServiceSettings

ENOUGH = 10.0  # seconds: a request answered "at once" is answered well within this, a queued one never is


class SlowBody:
    """A request body that does not come until `arrive()`: its request holds its slot meanwhile."""

    def __init__(self) -> None:
        self.read, self._arrived = asyncio.Event(), asyncio.Event()

    async def chunks(self) -> AsyncIterator[bytes]:
        self.read.set()  # the app asked for the body: the gate admitted the request
        await self._arrived.wait()
        yield b"{}"

    def arrive(self) -> None:
        self._arrived.set()


@pytest.fixture
def settings(stack: StackUnderTest, schema: str, keys: Keys) -> ServiceSettings:
    """A bound of 4 requests in flight: a tenant's share is 2 slots once 3 are taken."""
    small = {"max_requests_in_flight": 4}
    return service_settings(SERVICE, stack, schema, keys.public_key_file, **small)  # type: ignore[no-any-return]


@pytest.fixture
async def client(settings: ServiceSettings) -> AsyncIterator[httpx.AsyncClient]:
    async with service_client(SERVICE, settings) as client:
        yield client


def tenant(keys: Keys) -> dict[str, str]:
    return {"Authorization": f"Bearer {keys.issuer.issue(tenant_id=uuid4())}", "Content-Type": "application/json"}


async def hold(client: httpx.AsyncClient, auth: dict[str, str]) -> tuple[SlowBody, "asyncio.Task[httpx.Response]"]:
    """A POST admitted and waiting for its body."""
    body = SlowBody()
    held = asyncio.create_task(client.post("/v1/encounters", content=body.chunks(), headers=auth))
    async with asyncio.timeout(ENOUGH):
        await body.read.wait()
    return body, held


async def answered_at_once(client: httpx.AsyncClient, auth: dict[str, str]) -> tuple[httpx.Response, SlowBody]:
    body = SlowBody()
    async with asyncio.timeout(ENOUGH):  # a request queued behind the held ones would wait for ever
        response = await client.post("/v1/encounters", content=body.chunks(), headers=auth)
    return response, body


async def let_go(held: list[tuple[SlowBody, "asyncio.Task[httpx.Response]"]]) -> list[int]:
    for body, _ in held:
        body.arrive()
    async with asyncio.timeout(ENOUGH):
        return [(await task).status_code for _, task in held]


async def test_at_the_bound_the_next_request_is_answered_503_at_once_unread(
    client: httpx.AsyncClient, keys: Keys
) -> None:
    from claimstream_platform.telemetry import configure_telemetry

    configure_telemetry(service_name="charge-capture", otlp_endpoint=None)  # the meter provider, once per process
    a, b, c = tenant(keys), tenant(keys), tenant(keys)
    held = [await hold(client, a), await hold(client, a), await hold(client, b), await hold(client, b)]
    refused, body = await answered_at_once(client, c)
    assert refused.status_code == 503 and refused.headers["retry-after"] == "1"
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["type"] == "urn:claimstream:problem:overloaded"
    assert not body.read.is_set()
    assert (await client.get("/healthz")).status_code == 200  # probes are never shed
    scraped = (await client.get("/metrics")).text
    assert 'claimstream_http_shed_total{method="POST",reason="in-flight-bound",route="/v1/encounters"}' in scraped
    assert await let_go(held) == [422] * 4  # admitted, read, validated: `{}` is no encounter
    assert (await client.post("/v1/encounters", json={}, headers=c)).status_code == 422  # the slots were given back


async def test_a_tenant_over_its_share_gets_429_while_another_tenant_is_admitted(
    client: httpx.AsyncClient, keys: Keys
) -> None:
    a, b = tenant(keys), tenant(keys)
    held = [await hold(client, a) for _ in range(3)]  # alone, A may pass its share until the process is busy
    refused, body = await answered_at_once(client, a)
    assert refused.status_code == 429 and refused.headers["retry-after"] == "1"
    assert refused.json()["type"] == "urn:claimstream:problem:over-share" and not body.read.is_set()
    held.append(await hold(client, b))  # B is taken: the bound is not reached
    assert await let_go(held) == [422] * 4
