"""Every event of every topic into the projection: counted for stream health, kept as a fact when it concerns an
encounter or a claim, and each touched encounter folded anew from all its facts (domain.fold). A fold that changes
what the insurance left to the patient is announced (`PatientShareChanged`, shares.py), in the same transaction."""

import logging
from collections import Counter, defaultdict
from collections.abc import Sequence
from uuid import UUID

from claimstream_platform.messaging.consumer import Delivery
from opentelemetry import metrics

from projection.checks import checksum
from projection.domain import fold
from projection.facts import fact_of
from projection.model import Fact, Folded
from projection.repository import ProjectionWork
from projection.repository.folding import CountKey, EncounterKey
from projection.shares import share_changed

log = logging.getLogger(__name__)
CHECKSUM_DIFFERENCES = metrics.get_meter("claimstream.projection").create_counter(
    "claimstream.money.checksum.differences", description="Encounters folded with a money checksum that does not hold"
)


async def on_events(run: Sequence[Delivery], uow: ProjectionWork) -> None:
    counted, kept = facts_and_counts(run)
    await uow.folding.count_events(counted)
    if not kept:
        return
    await uow.folding.plan_each_read()
    await uow.folding.save_facts(kept)
    await uow.folding.lock({(f.tenant_id, i) for f in kept for i in (f.claim_id, f.encounter_id) if i is not None})
    touched = await uow.folding.encounters_touched(kept)
    await uow.folding.lock(touched)  # those found through a claim
    grouped = by_encounter(await uow.folding.history(touched))
    folds = [(key, fold(grouped.get(key, []))) for key in sorted(touched)]
    announced = await uow.folding.announced(touched)
    for key, folded in folds:
        alert_if_off(key, folded)
        changed = share_changed(key, folded, grouped.get(key, []), announced.get(key))
        if changed is not None:
            uow.publish(changed)
    await uow.folding.replace(folds)


def alert_if_off(key: EncounterKey, folded: Folded) -> None:
    """An encounter whose money checksum does not hold is an alert: counted for ops, logged with its ids only."""
    difference = checksum(folded).difference
    if difference:
        CHECKSUM_DIFFERENCES.add(1)
        ids = {"tenant_id": str(key[0]), "encounter_id": str(key[1]), "difference": str(difference)}
        log.error("money checksum off", extra=ids)


def facts_and_counts(run: Sequence[Delivery]) -> tuple[Counter[CountKey], list[Fact]]:
    """Each event counted per tenant, topic, type and minute; the facts of those the read model keeps."""
    counted: Counter[CountKey] = Counter()
    kept: list[Fact] = []
    for item in run:
        event, meta = item.event, item.metadata
        counted[(event.tenant_id, event.topic, event.event_type, meta.time.replace(second=0, microsecond=0))] += 1
        fact = fact_of(event, meta.event_id, meta.time, meta.source)
        if fact is not None:
            kept.append(fact)
    return counted, kept


def by_encounter(history: Sequence[Fact]) -> dict[EncounterKey, list[Fact]]:
    """Facts grouped by their encounter; one that names only a claim joins the encounter of that claim."""
    encounter_of: dict[UUID, UUID] = {f.claim_id: f.encounter_id for f in history if f.claim_id and f.encounter_id}
    grouped: dict[EncounterKey, list[Fact]] = defaultdict(list)
    for f in history:
        encounter = f.encounter_id or (encounter_of.get(f.claim_id) if f.claim_id else None)
        if encounter is not None:
            grouped[(f.tenant_id, encounter)].append(f)
    return grouped
