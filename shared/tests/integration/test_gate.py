"""What runs before a request's body is read (issue 26, N6 and item 6): the token, the route's own body cap, and
rate limits per tenant and per client that every replica shares."""

import os
import subprocess
import sys
from uuid import uuid4

import pytest
from claimstream_platform.access import RateClass
from claimstream_platform.auth import Role
from claimstream_platform.limits import Budget
from claimstream_platform.middleware import MAX_BODY_BYTES
from claimstream_platform.web import Platform
from walls_app import SMALL_CAP, CountingBody, bearer, call_asgi, walls_app, walls_client

MIB = 1024 * 1024
JSON = ("content-type", "application/json")
A_WINDOW = 1_800_000_000.0  # a fixed clock: the counting tests never straddle two windows


@pytest.fixture
def limited(settings):
    """Small upload budgets, so a burst is a handful of requests."""
    return settings.model_copy(update={"rate_limits": {RateClass.UPLOAD: Budget(tenant=5, client=5)}})


@pytest.fixture
async def app(settings):
    app = walls_app(settings)
    app.state.platform = Platform.open(settings)
    await app.state.platform.start()
    yield app
    await app.state.platform.close()


class TestNothingIsReadBeforeTheCaller:
    async def test_an_anonymous_body_is_refused_401_before_a_byte_is_read(self, app) -> None:
        body = CountingBody(MIB)
        status = await call_asgi(app, "POST", "/v1/notes", [JSON, ("content-length", str(MIB))], body)
        assert (status, body.taken) == (401, 0)

    async def test_a_chunked_anonymous_body_is_not_read_either(self, app) -> None:
        body = CountingBody(MIB)
        assert (await call_asgi(app, "POST", "/v1/notes", [JSON], body), body.taken) == (401, 0)

    async def test_a_role_the_route_does_not_allow_is_refused_403_before_the_body(self, app, keys) -> None:
        token = keys.issuer.issue(tenant_id=uuid4(), roles=[Role.FRONT_DESK])
        body = CountingBody(MIB)
        headers = [JSON, *bearer(token).items()]
        assert (await call_asgi(app, "POST", "/v1/notes", headers, body), body.taken) == (403, 0)

    async def test_an_unknown_path_is_404_without_reading_the_body(self, app, keys) -> None:
        body = CountingBody(MIB)
        headers = [JSON, *bearer(keys.issuer.issue(tenant_id=uuid4())).items()]
        assert (await call_asgi(app, "POST", "/v1/nowhere", headers, body), body.taken) == (404, 0)

    async def test_the_caller_verified_before_the_body_is_the_one_the_route_sees(self, settings, keys) -> None:
        tenant = uuid4()
        async with walls_client(walls_app(settings), settings) as client:
            response = await client.get("/v1/uploads", headers=bearer(keys.issuer.issue(tenant_id=tenant)))
        assert response.json() == {"tenant": str(tenant)}


class TestBodyCaps:
    async def test_a_routes_own_cap_refuses_413_what_the_default_accepts(self, settings, keys) -> None:
        auth = bearer(keys.issuer.issue(tenant_id=uuid4()))
        note = {"text": "x" * (2 * SMALL_CAP)}
        async with walls_client(walls_app(settings), settings) as client:
            small = await client.post("/v1/small-notes", json=note, headers=auth)
            default = await client.post("/v1/notes", json=note, headers=auth)
            fits = await client.post("/v1/small-notes", json={"text": "x" * 100}, headers=auth)
        assert small.status_code == 413 and small.json()["detail"] == f"the limit is {SMALL_CAP} bytes"
        assert (default.status_code, fits.status_code) == (200, 200)

    async def test_an_ordinary_route_refuses_a_body_over_the_default_cap_before_reading_it(self, app, keys) -> None:
        headers = [JSON, *bearer(keys.issuer.issue(tenant_id=uuid4())).items()]
        declared = CountingBody(MAX_BODY_BYTES + 1)
        length = [*headers, ("content-length", str(MAX_BODY_BYTES + 1))]
        assert (await call_asgi(app, "POST", "/v1/notes", length, declared), declared.taken) == (413, 0)
        chunked = CountingBody(4 * MAX_BODY_BYTES)
        assert await call_asgi(app, "POST", "/v1/notes", headers, chunked) == 413
        assert chunked.taken <= MAX_BODY_BYTES + 64 * 1024  # reading stopped at the cap

    async def test_a_batch_routes_own_cap_admits_what_an_ordinary_route_refuses(self, settings, keys) -> None:
        auth = bearer(keys.issuer.issue(tenant_id=uuid4()))
        notes = [{"text": "x" * 1000}] * (MAX_BODY_BYTES // 1000 + 1)
        async with walls_client(walls_app(settings), settings) as client:
            ordinary = await client.post("/v1/notes", json={"text": "x" * MAX_BODY_BYTES}, headers=auth)
            batch = await client.post("/v1/note-batches", json=notes, headers=auth)
        assert (ordinary.status_code, batch.status_code, batch.json()) == (413, 200, {"notes": len(notes)})
        assert ordinary.json()["detail"] == f"the limit is {MAX_BODY_BYTES} bytes"

    async def test_a_chunked_body_stops_being_read_at_the_routes_cap(self, app, keys) -> None:
        body = CountingBody(MIB, chunk=512)
        headers = [JSON, *bearer(keys.issuer.issue(tenant_id=uuid4())).items()]
        assert await call_asgi(app, "POST", "/v1/small-notes", headers, body) == 413
        assert body.taken <= SMALL_CAP + 512


class TestRateLimits:
    async def test_a_burst_from_one_tenant_gets_429_while_another_tenant_is_not_refused(self, limited, keys) -> None:
        a, b = (bearer(keys.issuer.issue(tenant_id=uuid4())) for _ in range(2))
        async with walls_client(walls_app(limited), limited) as client:
            client._transport.app.state.platform.limiter.clock = lambda: A_WINDOW  # type: ignore[attr-defined]
            burst = [(await client.get("/v1/uploads", headers=a)) for _ in range(6)]
            other = await client.get("/v1/uploads", headers=b)
        assert [r.status_code for r in burst] == [200] * 5 + [429]
        refused = burst[-1]
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["type"] == "urn:claimstream:problem:rate-limited"
        assert 1 <= int(refused.headers["retry-after"]) <= 10
        assert other.status_code == 200

    async def test_one_budget_is_shared_by_two_instances_on_one_database(self, settings, keys) -> None:
        shared = settings.model_copy(update={"rate_limits": {RateClass.UPLOAD: Budget(tenant=200, client=200)}})
        auth = bearer(keys.issuer.issue(tenant_id=uuid4()))
        statuses = []
        async with walls_client(walls_app(shared), shared) as one, walls_client(walls_app(shared), shared) as two:
            for client in (one, two):
                client._transport.app.state.platform.limiter.clock = lambda: A_WINDOW  # type: ignore[attr-defined]
            for n in range(260):
                statuses.append((await (one, two)[n % 2].get("/v1/uploads", headers=auth)).status_code)
        allowed = statuses.count(200)
        assert statuses.count(429) == 260 - allowed
        # Each instance leases 4 permits at a time (block_size(200)); at most a block each is left unspent.
        assert 200 - 2 * 4 <= allowed <= 200

    async def test_an_operator_sets_one_tenants_budget_with_the_cli(self, limited, keys, stack) -> None:
        tenant = uuid4()
        budget = ["--class", "upload", "--tenant-budget", "2", "--client-budget", "2"]
        assert admin("rate-limit", "--tenant", str(tenant), *budget, database_url=stack.database_url) == 0
        try:
            async with walls_client(walls_app(limited), limited) as client:
                client._transport.app.state.platform.limiter.clock = lambda: A_WINDOW  # type: ignore[attr-defined]
                auth = bearer(keys.issuer.issue(tenant_id=tenant))
                statuses = [(await client.get("/v1/uploads", headers=auth)).status_code for _ in range(3)]
        finally:
            assert admin("rate-limit", "--tenant", str(tenant), "--clear", database_url=stack.database_url) == 0
        assert statuses == [200, 200, 429]


def admin(*args: str, database_url: str) -> int:
    command = [sys.executable, "-m", "claimstream_platform.cli", "admin", *args]
    done = subprocess.run(command, env={**os.environ, "DATABASE_URL": database_url}, timeout=60, check=False)
    return done.returncode
