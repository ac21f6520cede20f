"""Claims from a run of coded encounters, in a few statements: the consumer's batch handler for ChargeCaptured.

The common case, an encounter billed for the first time, is created with the others of the run: one query for
which encounters already have claims, one for open claims that would be duplicates, one multi-row insert each
for the claims and their history. Anything else (a corrected encounter, one seen twice in the run, a replay)
takes the one-event path (`lifecycle.on_charge_captured`), in the run's order, so the outcome is the same as
applying the events one by one.
"""

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from claimstream_platform.contracts.charge_capture import ChargeCaptured
from claimstream_platform.db import UnitOfWork
from claimstream_platform.messaging.consumer import Delivery, caused_by
from sqlalchemy import select, tuple_

from claim_submission import lifecycle
from claim_submission.scrub import scrub
from claim_submission.tables import claims


async def on_charges_captured(deliveries: Sequence[Delivery], uow: UnitOfWork) -> None:
    captured = [delivery.event for delivery in deliveries]
    known = await _encounters_with_claims(uow, captured)  # type: ignore[arg-type]
    first_time: list[Delivery] = []
    seen: set[tuple[UUID, UUID]] = set()
    for delivery in deliveries:
        charges: ChargeCaptured = delivery.event  # type: ignore[assignment]
        encounter = (charges.tenant_id, charges.encounter_id)
        if encounter in known or encounter in seen:
            await _create_first_claims(uow, first_time)  # what came before it, first
            first_time = []
            with caused_by(delivery):
                await lifecycle.on_charge_captured(charges, uow)
        else:
            first_time.append(delivery)
        seen.add(encounter)
    await _create_first_claims(uow, first_time)


async def _create_first_claims(uow: UnitOfWork, deliveries: Sequence[Delivery]) -> None:
    if not deliveries:
        return
    today = lifecycle.today()
    charges: list[ChargeCaptured] = [delivery.event for delivery in deliveries]  # type: ignore[misc]
    taken = await _open_duplicate_keys(uow, charges)
    rows, reasons = [], []
    for item in charges:
        key = (item.tenant_id, lifecycle.duplicate_key(item))
        found = scrub(item, today=today, duplicate=key in taken)
        taken.add(key)  # a later encounter in the run with the same services is its duplicate
        rows.append(lifecycle.claim_row(item, found))
        reasons.append(found)
    numbers = await lifecycle.insert_claims(uow, rows)
    for delivery, item, row, pcn, found in zip(deliveries, charges, rows, numbers, reasons, strict=True):
        with caused_by(delivery):
            lifecycle.publish_created(uow, item, row, pcn, found)


async def _encounters_with_claims(uow: UnitOfWork, charges: Sequence[ChargeCaptured]) -> set[tuple[UUID, UUID]]:
    wanted = list({(c.tenant_id, c.encounter_id) for c in charges})
    rows = await uow.session.execute(
        select(claims.c.tenant_id, claims.c.encounter_id)
        .where(tuple_(claims.c.tenant_id, claims.c.encounter_id).in_(wanted))
        .distinct()
    )
    return {(row.tenant_id, row.encounter_id) for row in rows}


async def _open_duplicate_keys(uow: UnitOfWork, charges: Sequence[ChargeCaptured]) -> set[tuple[Any, str]]:
    """(tenant, duplicate key) of open claims: for encounters billed for the first time, any open claim with the
    same key is another encounter's."""
    wanted = list({(c.tenant_id, lifecycle.duplicate_key(c)) for c in charges})
    rows = await uow.session.execute(
        select(claims.c.tenant_id, claims.c.duplicate_key)
        .where(tuple_(claims.c.tenant_id, claims.c.duplicate_key).in_(wanted), claims.c.status.in_(lifecycle.OPEN))
        .distinct()
    )
    return {(row.tenant_id, row.duplicate_key) for row in rows}
