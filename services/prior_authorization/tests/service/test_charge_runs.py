"""A run of captured charges (a partition's batch, charges.py) counts, requires and asks ahead exactly as the same
charges one at a time: the visits it counts in memory are those the table would have held, a charge redelivered in
the run is counted once, and an older version of an encounter does not replace a newer one."""

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from claimstream_platform.contracts.charge_capture import ChargeCaptured
from claimstream_platform.messaging.envelope import DecodedEvent, EventMetadata
from prior_authorization import charges
from prior_authorization.repository import PriorAuthorizationWork
from prior_authorization_testkit import OTHER_PRACTICE, PRACTICE, captured
from sqlalchemy import text
from test_burn_down import handle
from test_requests import outbox

MakeUow = Callable[[], PriorAuthorizationWork]
SESSION = (("90834", 1),)  # SIMMCD wants an authorization for it after 30 visits a year, and is asked ahead of that


def weekly(practice: UUID, weeks: int) -> list[ChargeCaptured]:
    return [captured(SESSION, practice=practice, day=date(2026, 1, 5) + timedelta(weeks=n)) for n in range(weeks)]


async def in_one_run(make_uow: MakeUow, events: list[ChargeCaptured]) -> dict[UUID, UUID]:
    """The events as one batch's run; each encounter's delivery (its event id)."""
    delivered = [
        DecodedEvent(
            event, EventMetadata(event_id=uuid4(), source="cc", time=datetime.now(UTC), correlation_id=uuid4())
        )
        for event in events
    ]
    async with make_uow() as uow:
        await charges.on_charges_captured(delivered, uow)
        await uow.commit()
    return {d.event.encounter_id: d.metadata.event_id for d in delivered}  # type: ignore[attr-defined]


async def outcomes(make_uow: MakeUow, practice: UUID) -> dict[str, Any]:
    """What the charges of a practice left: the visits counted, the requirements announced, the requests made."""
    required = sorted(
        (e["service_date"], e["visits_this_year"], e["codes"])
        for kind, e in await outbox(make_uow)
        if kind == "required" and e["practice_id"] == str(practice)
    )
    async with make_uow() as uow:
        where = {"p": practice}
        visits = await uow.session.scalar(text("SELECT count(*) FROM visits WHERE practice_id = :p"), where)
        asked = await uow.session.scalar(text("SELECT count(*) FROM authorizations WHERE practice_id = :p"), where)
    return {"visits": visits, "required": required, "asked": asked}


async def test_a_run_counts_requires_and_asks_as_one_charge_at_a_time(make_uow: MakeUow) -> None:
    for event in weekly(OTHER_PRACTICE, 34):
        await handle(make_uow, charges.on_charge_captured, event)
    run = weekly(PRACTICE, 34)
    delivered = await in_one_run(make_uow, [*run, run[5]])  # the sixth charge again, redelivered in the same run
    alone, together = await outcomes(make_uow, OTHER_PRACTICE), await outcomes(make_uow, PRACTICE)
    assert together == alone
    assert together["visits"] == 34 and together["required"] and together["asked"] == 1, together
    async with make_uow() as uow:  # each charge's events are caused by its own delivery, not the run's first
        query = "SELECT causation_id, convert_from(payload, 'UTF8')::jsonb ->> 'encounter_id' AS encounter FROM outbox"
        rows = (await uow.session.execute(text(query + " WHERE event_type LIKE '%required%'"))).all()
    caused = {(row.causation_id, UUID(row.encounter)) for row in rows if UUID(row.encounter) in delivered}
    assert caused and all(cause == delivered[encounter] for cause, encounter in caused), caused


async def test_an_older_version_in_a_run_does_not_replace_the_newer_one(make_uow: MakeUow) -> None:
    newer = captured(SESSION, version=2, day=date(2026, 3, 2))
    older = captured(SESSION, version=1, day=date(2026, 2, 2), encounter_id=newer.encounter_id)
    await in_one_run(make_uow, [newer, older])
    async with make_uow() as uow:
        rows = (await uow.session.execute(text("SELECT version, service_date FROM visits"))).all()
    assert [tuple(row) for row in rows] == [(2, date(2026, 3, 2))]
