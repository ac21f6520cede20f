"""A request's 278 goes out outside any transaction, and once: on real PostgreSQL, against the clearinghouse
simulator (the platform's real client over HTTP) or a clearinghouse that holds its answer. Issue 28: the 278 was
sent while the request's transaction (and its Idempotency-Key row) was open, so a failed commit after the call made
a retry send the payer a second 278, and a slow clearinghouse held a pooled connection per request."""

import asyncio
from collections.abc import Callable

import httpx
from claimstream_platform.realtime import Refused
from payer_calls import (
    HeldClearinghouse,
    Simulated,
    commits_failed,
    fail_the_first_commit_that_answers,
    held_connections,
)
from payer_calls import simulated as simulated  # the fixture: the simulated clearinghouse as the app's gateway
from prior_authorization.follow_loop import ask_one
from prior_authorization.handlers import Sender
from prior_authorization.repository import PriorAuthorizationWork
from prior_authorization_testkit import Clearinghouse, body, deciding
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine


async def test_a_retry_after_the_decisions_commit_failed_sends_no_second_278(
    client: httpx.AsyncClient,
    auth: dict[str, str],
    simulated: Simulated,
    make_uow: Callable[[], PriorAuthorizationWork],
) -> None:
    await simulated.enroll("SIMBCX", "XJH123456789", "Zoe", "Nunez", "1990-01-02")
    await fail_the_first_commit_that_answers(make_uow, "authorizations", "requested")
    asked, headers = (
        body(coverage={"payer_id": "SIMBCX", "member_id": "XJH123456789"}),
        {**auth, "Idempotency-Key": "pa-commit-fails"},
    )
    failed = await client.post("/v1/authorizations", json=asked, headers=headers)
    assert (failed.status_code, "retry-after" in failed.headers) == (503, True), failed.text
    assert await commits_failed(make_uow) == 1 and await simulated.answers("278") == 1
    retried = await client.post("/v1/authorizations", json=asked, headers=headers)
    assert retried.status_code == 201, retried.text
    assert retried.json()["status"] == "approved"
    assert await simulated.answers("278") == 1  # the simulator received one 278, and answered the retry from it
    async with make_uow() as uow:
        stored = (await uow.session.execute(text("SELECT status, inquiry FROM authorizations"))).all()
    assert [tuple(row) for row in stored] == [("approved", None)]


async def test_no_connection_is_held_while_the_clearinghouse_thinks(
    client: httpx.AsyncClient, auth: dict[str, str], make_uow: Callable[[], PriorAuthorizationWork]
) -> None:
    held = HeldClearinghouse()
    held.answers = deciding("A1", "AUTH601")
    app = client._transport.app  # type: ignore[attr-defined]  # the app under test
    app.state.clearinghouse = held
    asking = asyncio.create_task(client.post("/v1/authorizations", json=body(), headers=auth))
    await asyncio.wait_for(held.arrived.wait(), 10)
    assert await held_connections(app.state.platform.engine, make_uow) == (0, 0)
    held.released.set()
    answered = await asyncio.wait_for(asking, 10)
    assert (answered.status_code, answered.json()["status"]) == (201, "approved")


async def test_the_loop_holds_no_connection_while_the_clearinghouse_thinks(
    client: httpx.AsyncClient,
    auth: dict[str, str],
    clearinghouse: Clearinghouse,
    engine: AsyncEngine,
    make_uow: Callable[[], PriorAuthorizationWork],
) -> None:
    clearinghouse.answers = deciding("A4", reason="0U")
    pended = (await client.post("/v1/authorizations", json=body(), headers=auth)).json()
    held = HeldClearinghouse()
    held.answers = deciding("A1", "AUTH602")
    asking = asyncio.create_task(ask_one(make_uow, held, Sender("CSAUTHORIZE", "SIM"), pended_wait=0))
    await asyncio.wait_for(held.arrived.wait(), 10)
    assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    held.released.set()
    decided = await asyncio.wait_for(asking, 10)
    assert decided is not None and (str(decided.id), decided.status) == (pended["id"], "approved")


async def test_a_278_the_clearinghouse_refuses_is_forgotten_with_its_lines_and_key(
    client: httpx.AsyncClient, auth: dict[str, str], make_uow: Callable[[], PriorAuthorizationWork]
) -> None:
    class Refusing(Clearinghouse):
        async def ask(self, interchange: str) -> list[str]:
            raise Refused("ISA08 is not a receiver we know")

    app = client._transport.app  # type: ignore[attr-defined]  # the app under test
    app.state.clearinghouse = Refusing()
    headers = {**auth, "Idempotency-Key": "pa-refused"}
    asked = body(
        services=[{"code": "96130", "quantity": 2}, {"code": "96131", "quantity": 6}], codes=None, quantity=None
    )
    refused = await client.post("/v1/authorizations", json=asked, headers=headers)
    assert refused.status_code == 422 and "ISA08" in refused.json()["detail"]
    async with make_uow() as uow:  # nothing was asked, so nothing is kept
        kept = "SELECT (SELECT count(*) FROM authorizations) + (SELECT count(*) FROM authorization_lines)"
        assert await uow.session.scalar(text(kept)) == 0
    app.state.clearinghouse = answering = Clearinghouse()
    answering.answers = deciding("A1", "AUTH603")
    again = await client.post("/v1/authorizations", json=asked, headers=headers)
    assert (again.status_code, again.json()["status"], len(answering.sent)) == (201, "approved", 1)
