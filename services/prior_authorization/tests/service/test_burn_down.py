"""The burn-down on real PostgreSQL: captured charges use units of the authorization that covers them, once per
encounter version; a voided charge gives them back; exhaustion, the warning and a concurrent review (a new 278
citing the number) go out; two practices of one tenant each track their own units."""

import asyncio
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import httpx
from claimstream_devtools.stand_ins import StandInClearinghouse, waiting_for_a_lock
from claimstream_platform.contracts.charge_capture import ChargeVoided
from prior_authorization import charges, handlers
from prior_authorization.follow_loop import ask_one
from prior_authorization.repository import PriorAuthorizationWork
from prior_authorization_testkit import OTHER_PRACTICE, PRACTICE, TENANT, body, captured, deciding
from sqlalchemy import text
from test_requests import outbox

SENDER = handlers.Sender("CSAUTHORIZE", "CLAIMSTREAMSIM")


async def handle(make_uow: Callable[[], PriorAuthorizationWork], handler: Any, event: Any) -> None:
    async with make_uow() as uow:
        await handler(event, uow)
        await uow.commit()


async def entered(client: httpx.AsyncClient, auth: dict[str, str], **changes: Any) -> dict[str, Any]:
    manual = {**body(), "authorization_number": "PA-1", "approved": 5, **changes}
    response = await client.post("/v1/authorizations/manual", json=manual, headers=auth)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def test_charges_burn_units_down_once_and_a_voided_one_gives_them_back(
    client: httpx.AsyncClient,
    auth: dict[str, str],
    make_uow: Callable[[], PriorAuthorizationWork],
) -> None:
    authorization = await entered(client, auth)
    first, second = captured((("96130", 2), ("96131", 1))), captured((("96131", 2),))
    for event in (first, first, second, captured((("90834", 1),)), captured((("96130", 1),), day=date(2027, 3, 1))):
        await handle(make_uow, charges.on_charge_captured, event)  # a redelivery, a code and a date not covered
    read = (await client.get(f"/v1/authorizations/{authorization['id']}", headers=auth)).json()
    assert (read["used"], read["remaining"]) == (5, 0)
    assert [(u["encounter_id"], u["used"]) for u in read["uses"]] == [
        (str(first.encounter_id), 3),
        (str(second.encounter_id), 2),
    ]
    voided = ChargeVoided(
        tenant_id=TENANT,
        practice_id=PRACTICE,
        encounter_id=second.encounter_id,
        version=1,
        external_id=second.external_id,
        service_date=second.service_date,
        reason="corrected",
    )
    await handle(make_uow, handlers.on_charge_voided, voided)
    await handle(make_uow, handlers.on_charge_voided, voided)  # redelivered: nothing more comes back
    again = (await client.get(f"/v1/authorizations/{authorization['id']}", headers=auth)).json()
    assert (again["used"], again["remaining"], again["uses"][1]["returned_at"] is not None) == (3, 2, True)
    kinds = [kind for kind, _ in await outbox(make_uow)]
    # 60 %, then all; testing after the authorization's end needs another one
    assert kinds == ["approved", "units-consumed", "units-consumed", "exhausted", "required", "units-returned"]


async def test_a_review_point_sends_a_new_278_citing_the_number(
    client: httpx.AsyncClient,
    auth: dict[str, str],
    make_uow: Callable[[], PriorAuthorizationWork],
) -> None:
    authorization = await entered(client, auth, codes=["90837"], unit="visits", quantity=10, approved=10)
    for day in range(1, 9):
        await handle(make_uow, charges.on_charge_captured, captured((("90837", 1),), day=date(2026, 12, day)))
    async with make_uow() as uow:
        rows = (
            await uow.session.execute(
                text("SELECT status, certification, previous_number, requested FROM authorizations ORDER BY created_at")
            )
        ).all()
    assert [tuple(row) for row in rows] == [("approved", "I", "", 10), ("requested", "R", "PA-1", 10)]
    kinds = [kind for kind, _ in await outbox(make_uow)]
    assert kinds.count("review-due") == 1 and kinds.count("expiring") == 1
    read = (await client.get(f"/v1/authorizations/{authorization['id']}", headers=auth)).json()
    assert read["used"] == 8


async def test_two_practices_of_one_tenant_each_track_their_own_units(
    client: httpx.AsyncClient,
    auth: dict[str, str],
    make_uow: Callable[[], PriorAuthorizationWork],
) -> None:
    mine = await entered(client, auth)
    theirs = await entered(client, auth, practice_id=str(OTHER_PRACTICE), authorization_number="PA-2")
    await handle(make_uow, charges.on_charge_captured, captured((("96130", 2),)))
    await handle(make_uow, charges.on_charge_captured, captured((("96130", 1),), practice=OTHER_PRACTICE))
    used = {a["id"]: a["used"] for a in (await client.get("/v1/authorizations", headers=auth)).json()["items"]}
    assert used == {mine["id"]: 2, theirs["id"]: 1}
    soon = (await client.get("/v1/authorizations?expiring_before=2027-03-01&patient=P-1", headers=auth)).json()
    assert len(soon["items"]) == 2
    later = (await client.get("/v1/authorizations?expiring_before=2027-01-01", headers=auth)).json()
    assert later["items"] == []


async def test_the_visit_after_the_years_limit_needs_an_authorization_and_a_void_stops_counting(
    client: httpx.AsyncClient,
    auth: dict[str, str],
    make_uow: Callable[[], PriorAuthorizationWork],
) -> None:
    therapy = [captured((("90834", 1),), day=date(2026, 1, 1) + timedelta(days=n)) for n in range(30)]
    for visit in therapy:  # Medicaid wants one after 30 visits a year
        await handle(make_uow, charges.on_charge_captured, visit)
    assert "required" not in [kind for kind, _ in await outbox(make_uow)]
    thirty_first = captured((("90834", 1),), day=date(2026, 3, 1))
    await handle(make_uow, charges.on_charge_captured, thirty_first)
    required = [event for kind, event in await outbox(make_uow) if kind == "required"]
    assert [(e["encounter_id"], e["codes"], e["visits_this_year"]) for e in required] == [
        (str(thirty_first.encounter_id), ["90834"], 30)
    ]
    first = therapy[0]
    await handle(
        make_uow,
        handlers.on_charge_voided,
        ChargeVoided(
            tenant_id=TENANT,
            practice_id=PRACTICE,
            encounter_id=first.encounter_id,
            version=1,
            external_id=first.external_id,
            service_date=first.service_date,
            reason="voided",
        ),
    )
    await handle(make_uow, charges.on_charge_captured, captured((("90834", 1),), day=date(2026, 2, 28)))  # 29 before
    await entered(
        client, auth, codes=["90834"], unit="visits", quantity=10, approved=10, start="2026-03-01", end="2026-12-31"
    )
    await handle(make_uow, charges.on_charge_captured, captured((("90834", 1),), day=date(2026, 3, 3)))  # covered
    next_year = captured((("90834", 1),), day=date(2027, 1, 2))
    await handle(make_uow, charges.on_charge_captured, next_year)  # the count starts again
    assert len([kind for kind, _ in await outbox(make_uow) if kind == "required"]) == 1


async def test_an_authorization_is_asked_for_as_the_visits_approach_the_count_once(
    make_uow: Callable[[], PriorAuthorizationWork],
    clearinghouse: StandInClearinghouse,
) -> None:
    """Medicaid wants one after 30 therapy visits a year: the 27th asks for 10 visits (a 278 the loop sends); a
    redelivered visit, the 28th, and a Medicare patient's visits ask for nothing more. Once approved, the 31st
    visit draws on it and is not announced as needing one."""
    therapy = [captured((("90834", 1),), day=date(2026, 1, 1) + timedelta(days=n)) for n in range(28)]
    for visit in therapy[:26]:
        await handle(make_uow, charges.on_charge_captured, visit)
    assert await requests(make_uow) == []
    for visit in (therapy[26], therapy[26], therapy[27]):
        await handle(make_uow, charges.on_charge_captured, visit)
    assert await requests(make_uow) == [
        ("requested", "I", 10, "visits", ["90832", "90834", "90837", "90846", "90847", "90853"], date(2026, 1, 27))
    ]
    medicare = captured((("90834", 1),), day=date(2026, 2, 1)).model_copy(
        update={"coverage": therapy[0].coverage.model_copy(update={"payer_id": "SIMMCR"})}
    )
    await handle(make_uow, charges.on_charge_captured, medicare)
    assert len(await requests(make_uow)) == 1
    clearinghouse.answers = deciding("A1", "AUTH27")
    asked = await ask_one(make_uow, clearinghouse, SENDER, pended_wait=0)
    assert asked is not None and (asked.status, asked.number, asked.approved) == ("approved", "AUTH27", 10)
    for n in (28, 29, 30):  # the 29th to the 31st visits
        await handle(make_uow, charges.on_charge_captured, captured((("90834", 1),), day=date(2026, 2, n - 27)))
    assert "required" not in [kind for kind, _ in await outbox(make_uow)]


async def test_an_authorization_asked_ahead_and_denied_is_not_asked_again(
    make_uow: Callable[[], PriorAuthorizationWork],
    clearinghouse: StandInClearinghouse,
) -> None:
    for n in range(28):
        await handle(
            make_uow, charges.on_charge_captured, captured((("90837", 1),), day=date(2026, 3, 1) + timedelta(days=n))
        )
    clearinghouse.answers = deciding("A3", reason="NC")
    assert await ask_one(make_uow, clearinghouse, SENDER, pended_wait=0) is not None
    await handle(make_uow, charges.on_charge_captured, captured((("90837", 1),), day=date(2026, 4, 1)))
    assert [row[0] for row in await requests(make_uow)] == ["denied"]  # a person takes the denial up


async def test_two_visits_counted_at_once_ask_ahead_once(make_uow: Callable[[], PriorAuthorizationWork]) -> None:
    """The 27th and 28th visits counted by two transactions at once (they come on different partitions): the
    second waits for the first to commit, sees its request, and asks for nothing more."""
    therapy = [captured((("90834", 1),), day=date(2026, 5, 1) + timedelta(days=n)) for n in range(28)]
    for visit in therapy[:26]:
        await handle(make_uow, charges.on_charge_captured, visit)
    async with make_uow() as first:
        await charges.on_charge_captured(therapy[26], first)
        second = asyncio.create_task(handle(make_uow, charges.on_charge_captured, therapy[27]))
        await waiting_for_a_lock(make_uow, second)  # counted beside the first, the second would ask again here
        await first.commit()
    await second
    assert [row[0] for row in await requests(make_uow)] == ["requested"]


async def requests(make_uow: Callable[[], PriorAuthorizationWork]) -> list[tuple[Any, ...]]:
    async with make_uow() as uow:
        query = "SELECT status, certification, requested, unit, codes, start FROM authorizations ORDER BY start"
        rows = await uow.session.execute(text(query))
        return [tuple(row) for row in rows]
