"""Checks that read, then write, taken by two transactions at once: a claim payment and the claim it pays (remittance
posting's inbox and claim submission's `ClaimCreated`, on its partition), and two copies of one payer trace under
different files (the inbox and an upload). Whichever comes second must see the first, or the payment waits in the
exceptions queue for a claim we know, or the trace is posted twice."""

import asyncio
from collections.abc import AsyncIterator, Callable
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from claimstream_devtools.schemas_under_test import schema_roles
from claimstream_devtools.stand_ins import waiting_for_a_lock
from claimstream_platform.context import Tenancy
from claimstream_platform.db import UnitOfWork
from claimstream_platform.engines import create_engine, sessions
from remittance_posting import handlers
from remittance_posting.repository import PostingWork
from remittance_testkit import TENANT, Payment, claim_created, era
from test_dedupe_scope import _from_inbox
from test_remittance_api import postings


@pytest.fixture
async def worker(schema: str) -> AsyncIterator[Callable[[], PostingWork]]:
    """The consumer's units of work: the app role as the event's tenant, which crosses tenants only on the
    across-tenants role, in a short transaction of its own (what waited for the claim is posted there)."""
    roles = schema_roles(schema)
    assert roles is not None
    app, across = (create_engine(url, schema=schema, connections=4) for url in (roles.app_url, roles.across_url))
    yield lambda: PostingWork(sessions(app), Tenancy.of(TENANT), across_tenants=sessions(across))
    await app.dispose()
    await across.dispose()


async def announce(make_uow: Callable[[], UnitOfWork], created: Any) -> None:
    async with make_uow() as uow:
        await handlers.on_claims_created([SimpleNamespace(event=created)], uow)
        await uow.commit()


async def test_a_payment_received_while_its_claim_is_announced_posts_to_it(
    client: httpx.AsyncClient,
    auth: dict[str, str],
    make_uow: Callable[[], UnitOfWork],
    worker: Callable[[], PostingWork],
) -> None:
    """The announcement's short transaction has posted nothing (nothing waited) and committed; the claim is
    remembered by the consumer's, still open: the 835 waits for it, then matches the claim."""
    created = claim_created("CS0000002801")
    async with worker() as first:
        await handlers.on_claims_created([SimpleNamespace(event=created)], first)
        second = asyncio.create_task(_from_inbox(make_uow, era(Payment("CS0000002801"), trace="RACE1"), "race1"))
        await waiting_for_a_lock(make_uow, second)  # matched beside the claim's announcement, it would miss it here
        await first.commit()
    assert await second == ["posted"]
    assert [p["state"] for p in await postings(client, auth, created.claim_id)] == ["posted"]


async def test_a_claim_announced_while_its_payment_is_received_posts_the_waiting_payment(
    client: httpx.AsyncClient,
    auth: dict[str, str],
    make_uow: Callable[[], UnitOfWork],
    worker: Callable[[], PostingWork],
) -> None:
    created = claim_created("CS0000002802")
    async with make_uow() as first:
        await handlers.receive(first, era(Payment("CS0000002802"), trace="RACE2"), source="inbox:race2", tenant_id=None)
        second = asyncio.create_task(announce(worker, created))
        await waiting_for_a_lock(make_uow, second)  # announced beside the payment, it would not find it waiting
        await first.commit()
    await second
    assert [p["state"] for p in await postings(client, auth, created.claim_id)] == ["posted"]
    assert (await client.get("/v1/remittances/exceptions", headers=auth)).json()["items"] == []


async def test_two_copies_of_a_trace_posted_at_once_post_once(
    client: httpx.AsyncClient, auth: dict[str, str], make_uow: Callable[[], UnitOfWork]
) -> None:
    created = claim_created("CS0000002803")
    await announce(make_uow, created)
    copy = era(Payment("CS0000002803"), trace="RACE3", control="000000931")
    again = era(Payment("CS0000002803"), trace="RACE3", control="000000932")  # other bytes, the same trace
    async with make_uow() as first:
        await handlers.receive(first, copy, source="inbox:race3", tenant_id=None)
        second = asyncio.create_task(_from_inbox(make_uow, again, "race3-again"))
        await waiting_for_a_lock(make_uow, second)  # asked beside the first copy, it would post the trace again
        await first.commit()
    assert await second == ["duplicate"]
    assert len(await postings(client, auth, created.claim_id)) == 1
