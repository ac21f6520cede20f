"""Renewals on real PostgreSQL: while a renewal of an authorization waits for the payer, asking again (a second
person, another Idempotency-Key, two requests at once) gets that one, and the payer one 278; once the payer has
decided it, a renewal can be asked anew. Issue 28: two renewals with different keys both went out."""

import asyncio
from collections.abc import Callable
from datetime import date
from typing import Any
from uuid import UUID

import httpx
from claimstream_devtools.stand_ins import StandInClearinghouse, waiting_for_a_lock
from claimstream_platform.auth import Principal
from prior_authorization import handlers
from prior_authorization.follow_loop import ask_one
from prior_authorization.repository import PriorAuthorizationWork
from prior_authorization_testkit import TENANT, deciding
from sqlalchemy import text
from test_burn_down import SENDER, entered

MakeUow = Callable[[], PriorAuthorizationWork]
BILLER = Principal(subject="biller", tenant_id=TENANT, practice_ids=None, token_id="test")


async def renewals(make_uow: MakeUow) -> list[tuple[str, str]]:
    async with make_uow() as uow:
        query = "SELECT status, previous_number FROM authorizations WHERE certification = 'R' ORDER BY created_at"
        return [tuple(row) for row in (await uow.session.execute(text(query))).all()]  # type: ignore[misc]


async def renew(client: httpx.AsyncClient, auth: dict[str, str], authorization: str, key: str) -> dict[str, Any]:
    headers = {**auth, "Idempotency-Key": key}
    response = await client.post(f"/v1/authorizations/{authorization}/renewals", json={"visits": 6}, headers=headers)
    assert response.status_code == 202, response.text
    return dict(response.json())


async def test_a_second_renewal_gets_the_open_one_and_a_decided_one_can_be_asked_anew(
    client: httpx.AsyncClient, auth: dict[str, str], make_uow: MakeUow
) -> None:
    authorization = (await entered(client, auth, codes=["90837"], unit="visits", quantity=10, approved=10))["id"]
    first = await renew(client, auth, authorization, "renew-1")
    assert await renew(client, auth, authorization, "renew-2") == first  # another person, another key
    assert await renewals(make_uow) == [("requested", "PA-1")]
    payer = StandInClearinghouse()
    payer.answers = deciding("A3", reason="N")  # the payer refuses it
    assert await ask_one(make_uow, payer, SENDER, pended_wait=0) is not None
    again = await renew(client, auth, authorization, "renew-3")
    assert again["id"] != first["id"]
    assert await renewals(make_uow) == [("denied", "PA-1"), ("requested", "PA-1")]


async def test_two_renewals_asked_at_once_make_one_request(
    client: httpx.AsyncClient, auth: dict[str, str], make_uow: MakeUow
) -> None:
    authorization = UUID((await entered(client, auth, codes=["90837"], unit="visits", quantity=10, approved=10))["id"])

    async def renewing(uow: PriorAuthorizationWork) -> UUID:
        current = await uow.authorizations.find(BILLER, authorization)  # read as the route reads it: not locked
        assert current is not None
        return (await handlers.renew(uow, current, 6, date(2026, 12, 20))).id

    async with make_uow() as first:
        asked = await renewing(first)
        second = asyncio.create_task(_committed(make_uow, renewing))
        await waiting_for_a_lock(make_uow, second)  # asked beside the first, it would miss the first's request
        await first.commit()
    assert await second == asked
    assert await renewals(make_uow) == [("requested", "PA-1")]


async def _committed(make_uow: MakeUow, work: Callable[[PriorAuthorizationWork], Any]) -> Any:
    async with make_uow() as uow:
        found = await work(uow)
        await uow.commit()
    return found
