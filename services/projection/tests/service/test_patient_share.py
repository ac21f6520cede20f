"""What the insurance leaves to the patient is announced from the ledger when a visit's first claim is folded and
whenever a fold changes the share or what the insurance still owes, once per change, with a version that grows:
patient billing keeps the patient's account from it (docs/projection.md)."""

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from projection.announce import announce_all
from projection.repository import ProjectionWork
from projection_testkit import Visit, day, deliver, delivery
from sqlalchemy import text


async def announced(make_uow: Callable[[], ProjectionWork]) -> list[dict[str, Any]]:
    async with make_uow() as uow:
        query = "SELECT convert_from(payload, 'UTF8') AS body FROM outbox WHERE topic = 'projection.v1' ORDER BY seq"
        return [json.loads(row.body) for row in await uow.session.execute(text(query))]


async def test_a_share_is_announced_when_it_changes_and_only_then(make_uow: Callable[[], ProjectionWork]) -> None:
    visit = Visit(charge="150", patient="P-7")
    await deliver(
        make_uow,
        delivery(visit.captured(), day(0)),
        delivery(visit.created(), day(1)),
        delivery(visit.submitted(), day(1)),
        delivery(visit.paid_lines((1, "150", "80", [("CO", "45", "40"), ("PR", "2", "30")])), day(20)),
        delivery(visit.accepted(), day(21)),  # changes nothing the patient owes
    )
    created, first = await announced(make_uow)  # the claim created (nothing hers yet), then paid
    assert (Decimal(created["share"]), Decimal(created["insurance_open"])) == (0, 150)
    assert first["patient_ref"] == "P-7" and first["encounter_id"] == str(visit.encounter_id)
    figures = {k: Decimal(first[k]) for k in ("share", "charged", "insurance_paid", "adjusted", "insurance_open")}
    assert figures == {"share": 30, "charged": 150, "insurance_paid": 80, "adjusted": 40, "insurance_open": 0}
    assert first["reasons"] == [{"group": "PR", "reason": "2", "amount": "30.00"}]

    reversal = visit.paid_lines((1, "-150", "-80", [("CO", "45", "-40"), ("PR", "2", "-30")]), outcome="reversed")
    await deliver(make_uow, delivery(reversal, day(30)))
    second = (await announced(make_uow))[2]
    assert (Decimal(second["share"]), Decimal(second["insurance_open"])) == (0, 150)
    assert second["version"] > first["version"] and second["reasons"] == []


async def test_every_stored_visit_is_announced_again_for_an_installation_that_adds_patient_billing(
    make_uow: Callable[[], ProjectionWork],
) -> None:
    paid, waiting = Visit(charge="150", patient="P-8"), Visit(charge="90", patient="P-9")
    await deliver(
        make_uow,
        delivery(paid.captured(), day(0)),
        delivery(paid.created(), day(1)),
        delivery(paid.paid_lines((1, "150", "80", [("CO", "45", "40"), ("PR", "2", "30")])), day(20)),
        delivery(waiting.captured(), day(0)),
        delivery(waiting.created(), day(1)),
    )
    before = len(await announced(make_uow))
    assert await announce_all(make_uow) == 2
    again = (await announced(make_uow))[before:]
    shares = {a["patient_ref"]: (Decimal(a["share"]), Decimal(a["insurance_open"])) for a in again}
    assert shares == {"P-8": (30, 0), "P-9": (0, 90)}
