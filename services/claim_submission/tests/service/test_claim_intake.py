"""The batch handler for ChargeCaptured gives what applying the events one by one gives: new encounters in a few
statements, a duplicate within the run held, an encounter seen twice replaced by its later version, a replay
ignored; and each claim's events caused by the event it came from. On real PostgreSQL."""

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

from claim_submission.intake import encounters
from claim_submission.repository import ClaimWork
from claims_testkit import RECENT, charges, claims_of, handle
from claimstream_devtools.stand_ins import waiting_for_a_lock
from claimstream_platform.contracts.charge_capture import ChargeCaptured
from claimstream_platform.messaging.envelope import DecodedEvent, EventMetadata
from sqlalchemy import text


def delivered(event):  # type: ignore[no-untyped-def]
    return DecodedEvent(event, EventMetadata(uuid4(), "charge-capture", datetime.now(UTC), correlation_id=uuid4()))


def a_run_after(earlier: ChargeCaptured) -> tuple[list[ChargeCaptured], ChargeCaptured, list[ChargeCaptured]]:
    """Three fresh encounters, a twin of the first (same member, services and date: a duplicate), `earlier`'s
    second version, the second's second version, and the third again (a replay within the run)."""
    fresh = [
        charges(
            service_date=RECENT,
            external_id=f"v-{n}",
            coverage={**charges().coverage.model_dump(), "member_id": f"M{n}"},
        )
        for n in range(3)
    ]
    twin = fresh[0].model_copy(update={"encounter_id": uuid4()})
    corrected_early = earlier.model_copy(update={"version": 2})
    seen_twice = fresh[1].model_copy(update={"version": 2})
    return fresh, twin, [*fresh, twin, corrected_early, seen_twice, fresh[2]]


CLAIMS_CREATED_WITH_CAUSES = text(
    "SELECT causation_id, convert_from(payload, 'UTF8')::jsonb->>'encounter_id' AS encounter"
    " FROM outbox "
    "WHERE event_type LIKE '%claim.created%' AND causation_id IS NOT NULL ORDER BY seq"
)


async def claims_created_with_causes(make_uow: Callable[[], ClaimWork]) -> list[Any]:
    async with make_uow() as uow:
        return list((await uow.session.execute(CLAIMS_CREATED_WITH_CAUSES)).all())


async def test_a_run_of_charges_becomes_the_claims_one_by_one_would_give(make_uow: Callable[[], ClaimWork]) -> None:
    earlier = charges(service_date=RECENT)
    await handle(make_uow, encounters.on_charge_captured, earlier)  # this encounter already has a claim
    fresh, twin, run = a_run_after(earlier)
    deliveries = [delivered(event) for event in run]
    async with make_uow() as uow:
        await encounters.on_charges_captured(deliveries, uow)
        await uow.commit()

    (first,) = await claims_of(make_uow, fresh[0].encounter_id)
    assert (first.status, first.frequency) == ("ready", "1")
    (duplicate,) = await claims_of(make_uow, twin.encounter_id)
    assert duplicate.status == "held" and "duplicate" in str(duplicate.reasons)
    replaced, latest = await claims_of(make_uow, fresh[1].encounter_id)
    assert (replaced.status, latest.encounter_version, latest.status) == ("replaced", 2, "ready")
    assert [c.encounter_version for c in await claims_of(make_uow, earlier.encounter_id)] == [1, 2]
    assert len(await claims_of(make_uow, fresh[2].encounter_id)) == 1  # the replay changed nothing

    rows = await claims_created_with_causes(make_uow)
    causes: dict[str, set[object]] = {}
    for delivery in deliveries:
        causes.setdefault(str(delivery.event.encounter_id), set()).add(delivery.metadata.event_id)
    assert len(rows) == 6  # three fresh, the twin, the early correction, the second version
    assert all(row.causation_id in causes[row.encounter] for row in rows)


async def test_one_visit_posted_twice_and_taken_by_two_partitions_at_once_is_held_as_a_duplicate(
    make_uow: Callable[[], ClaimWork],
) -> None:
    """The EHR posts one visit twice: two encounters, on two partitions, whose batches run at once. The second
    waits for the first to commit and holds its twin as a duplicate; counted beside it, both would leave."""
    visit = charges(service_date=RECENT, coverage={**charges().coverage.model_dump(), "member_id": "M-TWICE"})
    twin = visit.model_copy(update={"encounter_id": uuid4()})
    async with make_uow() as first:
        await encounters.on_charges_captured([delivered(visit)], first)
        second = asyncio.create_task(handle(make_uow, encounters.on_charges_captured, [delivered(twin)]))
        await waiting_for_a_lock(make_uow, second)
        await first.commit()
    await second
    (original,) = await claims_of(make_uow, visit.encounter_id)
    (duplicate,) = await claims_of(make_uow, twin.encounter_id)
    assert (original.status, duplicate.status) == ("ready", "held") and "duplicate" in str(duplicate.reasons)
