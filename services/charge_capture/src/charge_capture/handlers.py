"""Encounter capture and correction: look up set-up, code, record on the `Encounter` aggregate, store and publish
its events, all in the caller's transaction (the command runner commits). And a practice's own payer facts: set or
withdrawn on the `PayerFactsOverride` aggregate, stored and published the same way.

An encounter is unique per (tenant, practice, external id). Posting the same encounter again returns the
stored one; posting different content under the same external id is a conflict (correct it with PUT).
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Literal
from uuid import UUID

from claimstream_platform.auth import Principal
from claimstream_platform.contracts import Reason
from claimstream_platform.dates import business_date
from claimstream_platform.errors import NotFound

from charge_capture.coding_step import code
from charge_capture.commands import CaptureEncounter
from charge_capture.domain import Encounter, PayerFactsOverride
from charge_capture.repository import CaptureWork
from charge_capture.repository.reference import Reference

Outcome = Literal["created", "existing", "conflict", "not_found", "invalid"]


@dataclass
class ItemOutcome:
    index: int
    outcome: Outcome
    encounter: Encounter | None = None
    errors: list[Reason] = field(default_factory=list)


@dataclass
class _Batch:
    """A batch on its way: each key's first item coded as a new encounter, the items that repeat a key, and the
    outcomes known so far (the practices the caller cannot see)."""

    new: dict[tuple[UUID, str], tuple[int, CaptureEncounter, Encounter]] = field(default_factory=dict)
    repeats: list[tuple[int, CaptureEncounter]] = field(default_factory=list)
    outcomes: dict[int, ItemOutcome] = field(default_factory=dict)


async def capture(
    uow: CaptureWork, principal: Principal, commands: Sequence[tuple[int, CaptureEncounter]]
) -> list[ItemOutcome]:
    """Store and code a batch of encounters; one outcome per item, in the order given."""
    batch = await _coded(uow, principal, commands)
    inserted = await uow.encounters.insert_new([encounter for _, _, encounter in batch.new.values()])
    already: list[tuple[int, CaptureEncounter]] = list(batch.repeats)
    for index, command, encounter in batch.new.values():
        if encounter.id not in inserted:
            already.append((index, command))
            continue
        uow.publish_recorded(encounter)
        batch.outcomes[index] = ItemOutcome(index, "created", encounter)
    if already:
        stored = await uow.encounters.by_keys(principal.tenant_id, {command.key for _, command in already})
        for index, command in already:
            batch.outcomes[index] = _existing_or_conflict(index, command, stored[command.key])
    return [batch.outcomes[index] for index, _ in commands]


async def _coded(uow: CaptureWork, principal: Principal, commands: Sequence[tuple[int, CaptureEncounter]]) -> _Batch:
    """Each key's first occurrence coded (a new encounter, if it is one); items of practices the caller cannot
    see are answered `not_found`."""
    now, batch = datetime.now(UTC), _Batch()
    for index, command in commands:
        found = await lookup(uow, principal, command) if principal.may_access(command.practice_id) else None
        if found is None:
            not_found = [_reason("practice_id", "practice not found")]
            batch.outcomes[index] = ItemOutcome(index, "not_found", errors=not_found)
        elif command.key in batch.new:
            batch.repeats.append((index, command))
        else:
            today = business_date(found.practice.time_zone)  # the practice's calendar day
            encounter = Encounter.capture(principal.tenant_id, command, code(command, found, today), now=now)
            batch.new[command.key] = (index, command, encounter)
    return batch


async def lookup(uow: CaptureWork, principal: Principal, command: CaptureEncounter) -> Reference | None:
    """The set-up this encounter's coding needs: its practice, providers and every payer it names (None when the
    practice does not exist for the tenant)."""
    return await uow.reference.lookup(
        principal.tenant_id,
        command.practice_id,
        command.rendering_provider_npi,
        command.payer_id,
        command.supervising_provider_npi,
        command.other_payer_ids,
    )


def _existing_or_conflict(index: int, command: CaptureEncounter, stored: Encounter) -> ItemOutcome:
    """The same content again is the stored encounter; other content under its key is a conflict."""
    if stored.is_same_request(command):
        return ItemOutcome(index, "existing", stored)
    message = (
        f"encounter {stored.id} already has this external_id with other content: "
        "correct it with PUT /v1/encounters/{id}"
    )
    return ItemOutcome(index, "conflict", stored, [_reason("external_id", message)])


async def correct(uow: CaptureWork, principal: Principal, encounter_id: UUID, command: CaptureEncounter) -> Encounter:
    """Replace an encounter with a corrected version; charges of the previous version are voided. The same content
    again changes nothing."""
    encounter = await _locked(uow, principal, encounter_id)
    encounter.refuse_other_key(command)
    if encounter.is_same_request(command):
        return encounter
    found = await lookup(uow, principal, command)
    assert found is not None  # the encounter's practice exists (a correction keeps it)
    today = business_date(found.practice.time_zone)
    encounter.correct(command, code(command, found, today), now=datetime.now(UTC))
    await uow.encounters.store_version(encounter)
    uow.publish_recorded(encounter)
    return encounter


async def void(uow: CaptureWork, principal: Principal, encounter_id: UUID, reason: str) -> Encounter:
    """Withdraw an encounter (the visit should not be billed); its charges, if any, are voided. Repeatable."""
    encounter = await _locked(uow, principal, encounter_id)
    if encounter.status != "voided":
        encounter.void(reason, now=datetime.now(UTC))
        await uow.encounters.store_voided(encounter)
        uow.publish_recorded(encounter)
    return encounter


async def _locked(uow: CaptureWork, principal: Principal, encounter_id: UUID) -> Encounter:
    encounter = await uow.encounters.visible(principal, encounter_id, lock=True)
    if encounter is None:
        raise NotFound("encounter not found")
    return encounter


async def set_payer_facts(
    uow: CaptureWork, practice_payer: tuple[UUID, UUID, str], start: date, end: date | None, facts: dict[str, Any]
) -> None:
    """A practice's own facts for a payer (tenant, practice, payer) from `start`, replacing any from that day. The
    same facts again publish nothing."""
    found = await uow.payer_facts.locked(*practice_payer, start)
    found.set(end, facts)
    await _store_facts(uow, found)


async def withdraw_payer_facts(uow: CaptureWork, practice_payer: tuple[UUID, UUID, str], start: date) -> None:
    """Our facts hold again from `start`."""
    found = await uow.payer_facts.locked(*practice_payer, start)
    if not found.facts:
        raise NotFound("no override of this payer's facts from this day", field="effective_from")
    found.withdraw()
    await _store_facts(uow, found)


async def _store_facts(uow: CaptureWork, override: PayerFactsOverride) -> None:
    """Stored only when it changed (it recorded an event), and its events published in the same transaction."""
    if override.events:
        await uow.payer_facts.store(override)
    uow.publish_recorded(override)


def _reason(field_: str, message: str) -> Reason:
    return Reason(rule="request", field=field_, message=message)
