"""A check's 270 goes out outside any transaction, and once: on real PostgreSQL, against the clearinghouse
simulator (the platform's real client over HTTP) or a clearinghouse that holds its answer. Issue 28: the 270 was
sent while the request's transaction (and its Idempotency-Key row) was open, so a failed commit after the call made
a retry ask the payer again, and a slow clearinghouse held a pooled connection per request."""

import asyncio
from collections.abc import Callable

import httpx
from claimstream_platform.errors import TransientError
from claimstream_platform.realtime import Refused
from eligibility.check_loop import ask_one
from eligibility.repository import EligibilityWork
from eligibility_testkit import ACTIVE, Clearinghouse, captured
from payer_calls import (
    HeldClearinghouse,
    Simulated,
    commits_failed,
    fail_the_first_commit_that_answers,
    held_connections,
)
from payer_calls import simulated as simulated  # the fixture: the simulated clearinghouse as the app's gateway
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from test_eligibility_checks import BODY, echoing
from test_pending_checks import SENDER, deliver, statuses


class AnswerLost:
    """The clearinghouse took the 270 and answered, and the answer never came back (a timeout, a dropped
    connection): the outcome is unknown to the asker."""

    def __init__(self, clearinghouse: Simulated) -> None:
        self.clearinghouse = clearinghouse

    async def ask(self, interchange: str) -> list[str]:
        await self.clearinghouse.gateway.ask(interchange)
        raise TransientError("partner unreachable: ReadTimeout")


async def test_a_retry_after_the_answers_commit_failed_sends_no_second_270(
    client: httpx.AsyncClient,
    auth: dict[str, str],
    simulated: Simulated,
    make_uow: Callable[[], EligibilityWork],
) -> None:
    await simulated.enroll("SIMBCX", "XJH123456789", "Zoe", "Nunez", "1990-01-02")
    await fail_the_first_commit_that_answers(make_uow, "checks", "pending")
    headers = {**auth, "Idempotency-Key": "visit-commit-fails"}
    failed = await client.post("/v1/eligibility-checks", json=BODY, headers=headers)
    assert (failed.status_code, "retry-after" in failed.headers) == (503, True), failed.text
    assert await commits_failed(make_uow) == 1 and await simulated.answers("271") == 1
    retried = await client.post("/v1/eligibility-checks", json=BODY, headers=headers)
    assert retried.status_code == 201, retried.text
    assert retried.json()["status"] == "active"
    assert await simulated.answers("271") == 1  # the simulator received one 270, and answered the retry from it
    async with make_uow() as uow:  # the check, and its carve-out's question to the administrator, each stored once
        stored = (await uow.session.execute(text("SELECT payer_id, status FROM checks ORDER BY created_at"))).all()
    assert [tuple(row) for row in stored] == [("SIMBCX", "active"), ("SIMBHO", "pending")]


async def test_no_connection_is_held_while_the_clearinghouse_thinks(
    client: httpx.AsyncClient, auth: dict[str, str], make_uow: Callable[[], EligibilityWork]
) -> None:
    held = HeldClearinghouse()
    held.answers = echoing(*ACTIVE)
    app = client._transport.app  # type: ignore[attr-defined]  # the app under test
    app.state.clearinghouse = held
    asking = asyncio.create_task(client.post("/v1/eligibility-checks", json=BODY, headers=auth))
    await asyncio.wait_for(held.arrived.wait(), 10)
    assert await held_connections(app.state.platform.engine, make_uow) == (0, 0)
    held.released.set()
    answered = await asyncio.wait_for(asking, 10)
    assert (answered.status_code, answered.json()["status"]) == (201, "active")


async def test_the_loop_holds_no_connection_while_the_clearinghouse_thinks(
    engine: AsyncEngine, make_uow: Callable[[], EligibilityWork]
) -> None:
    await deliver(make_uow, captured(patient_ref="P-3"))
    held = HeldClearinghouse()
    held.answers = echoing(*ACTIVE)
    asking = asyncio.create_task(ask_one(async_sessionmaker(engine, expire_on_commit=False), held, SENDER))
    await asyncio.wait_for(held.arrived.wait(), 10)
    assert (engine.pool.checkedout(), await statuses(make_uow)) == (0, ["pending"])  # type: ignore[attr-defined]
    held.released.set()
    assert await asyncio.wait_for(asking, 10) is True
    assert await statuses(make_uow) == ["active"]


async def test_a_270_whose_answer_was_lost_is_finished_by_the_loop_from_the_same_270(
    client: httpx.AsyncClient,
    auth: dict[str, str],
    simulated: Simulated,
    engine: AsyncEngine,
    make_uow: Callable[[], EligibilityWork],
) -> None:
    """The request that asked goes away (503, and no retry comes): the loop, once the call's time is up, sends the
    stored 270 again, which the clearinghouse answers from the first."""
    await simulated.enroll("SIMAHP", "AHP123456789", "Zoe", "Nunez", "1990-01-02")
    client._transport.app.state.clearinghouse = AnswerLost(simulated)  # type: ignore[attr-defined]
    body = {**BODY, "coverage": {"payer_id": "SIMAHP", "member_id": "AHP123456789"}}
    lost = await client.post("/v1/eligibility-checks", json=body, headers=auth)
    assert lost.status_code == 503 and await simulated.answers("271") == 1
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    assert await ask_one(sessions, simulated.gateway, SENDER) is False  # its asker's lease still runs
    async with make_uow() as uow:
        await uow.session.execute(text("UPDATE checks SET asked_at = asked_at - interval '2 minutes'"))
        await uow.commit()
    assert await ask_one(sessions, simulated.gateway, SENDER) is True
    assert await statuses(make_uow) == ["active"] and await simulated.answers("271") == 1


async def test_a_270_the_clearinghouse_refuses_is_forgotten_with_its_key(
    client: httpx.AsyncClient, auth: dict[str, str], make_uow: Callable[[], EligibilityWork]
) -> None:
    class Refusing(Clearinghouse):
        async def ask(self, interchange: str) -> list[str]:
            raise Refused("ISA08 is not a receiver we know")

    app = client._transport.app  # type: ignore[attr-defined]  # the app under test
    app.state.clearinghouse = Refusing()
    headers = {**auth, "Idempotency-Key": "visit-refused"}
    refused = await client.post("/v1/eligibility-checks", json=BODY, headers=headers)
    assert refused.status_code == 422 and "ISA08" in refused.json()["detail"]
    assert await statuses(make_uow) == []  # nothing was asked, so nothing is kept
    app.state.clearinghouse = answering = Clearinghouse()
    answering.answers = echoing(*ACTIVE)
    again = await client.post("/v1/eligibility-checks", json=BODY, headers=headers)
    assert (again.status_code, again.json()["status"], len(answering.sent)) == (201, "active", 1)
