"""Encounter intake and correction: code, store, publish, all in the caller's transaction.

An encounter is unique per (tenant, practice, external id). Posting the same encounter again returns the
stored one; posting different content under the same external id is a conflict (correct it with PUT).
"""

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from types import SimpleNamespace
from typing import Any
from uuid import UUID, uuid4

from claimstream_platform.auth import Principal
from claimstream_platform.contracts import IntegrationEvent, Reason
from claimstream_platform.contracts import charge_capture as contract
from claimstream_platform.db import UnitOfWork
from claimstream_platform.errors import NotFound, RuleViolation

from charge_capture.captured import captured
from charge_capture.engine_input import coding_of, issue_json, line_rows, set_up_issues
from charge_capture.repository import encounters
from charge_capture.repository.encounters import StoredRow, lines_of, stored_by_key
from charge_capture.repository.reference import Reference, ReferenceData
from charge_capture.schemas import ChargeOut, EncounterIn, EncounterSummary


@dataclass
class ItemOutcome:
    index: int
    outcome: str  # created | existing | conflict | not_found | invalid
    encounter: EncounterSummary | None = None
    errors: list[Reason] = field(default_factory=list)
    recorded_at: datetime | None = None  # set when this call created the encounter


@dataclass
class _Candidate:
    index: int
    body: EncounterIn
    request_hash: str
    row: dict[str, Any] = field(default_factory=dict)
    lines: list[dict[str, Any]] = field(default_factory=list)
    events: list[IntegrationEvent] = field(default_factory=list)


def request_hash(body: EncounterIn) -> str:
    canonical = json.dumps(body.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


async def ingest(
    uow: UnitOfWork, principal: Principal, bodies: Sequence[tuple[int, EncounterIn]], *, today: date
) -> list[ItemOutcome]:
    """Store and code a batch of parsed encounters; one outcome per item, in the order given."""
    outcomes: dict[int, ItemOutcome] = {}
    candidates, repeats = await _coded_candidates(uow, principal, bodies, outcomes, today=today)
    inserted = await _insert_new(uow, candidates)
    for candidate in (c for c in candidates if c.row["id"] in inserted):
        for event in candidate.events:
            uow.publish(event)
        outcomes[candidate.index] = ItemOutcome(
            candidate.index, "created", _summary_of(candidate), recorded_at=candidate.row["created_at"]
        )
    already = [c for c in candidates if c.row["id"] not in inserted] + repeats
    if already:
        stored = await stored_by_key(
            uow.session, principal.tenant_id, {(c.body.practice_id, c.body.external_id) for c in already}
        )
        for candidate in already:
            row, row_lines = stored[(candidate.body.practice_id, candidate.body.external_id)]
            outcomes[candidate.index] = _existing_or_conflict(candidate, row, row_lines)
    return [outcomes[index] for index, _ in bodies]


async def lookup(reference: ReferenceData, practice_id: UUID, body: EncounterIn) -> Reference | None:
    """The set-up this encounter's coding needs: its practice, providers and every payer it names."""
    return await reference.lookup(
        practice_id, body.rendering_provider_npi, body.coverage.payer_id, body.supervising_provider_npi,
        tuple(coverage.payer_id for coverage in body.other_coverages),
    )  # fmt: skip


async def _coded_candidates(
    uow: UnitOfWork, principal: Principal, bodies: Sequence[tuple[int, EncounterIn]],
    outcomes: dict[int, ItemOutcome], *, today: date,
) -> tuple[list[_Candidate], list[_Candidate]]:  # fmt: skip
    """Each item's first occurrence coded (a new encounter, if it is one), and the repeats of a key in the batch;
    items of practices the caller cannot see are answered `not_found` in `outcomes`."""
    reference = ReferenceData(uow.session, principal.tenant_id)
    first_by_key: dict[tuple[UUID, str], _Candidate] = {}
    repeats: list[_Candidate] = []
    for index, body in bodies:
        found = None
        if principal.may_access(body.practice_id):
            found = await lookup(reference, body.practice_id, body)
        if found is None:
            outcomes[index] = ItemOutcome(index, "not_found", errors=[_reason("practice_id", "practice not found")])
            continue
        candidate = _Candidate(index, body, request_hash(body))
        key = (body.practice_id, body.external_id)
        if key in first_by_key:
            repeats.append(candidate)
            continue
        first_by_key[key] = candidate
        _code(candidate, found, principal.tenant_id, today=today, encounter_id=uuid4(), version=1)
    return list(first_by_key.values()), repeats


async def _insert_new(uow: UnitOfWork, candidates: Sequence[_Candidate]) -> set[UUID]:
    """Insert the encounters not stored yet, and their lines; the ids inserted (the others exist already)."""
    if not candidates:
        return set()
    return await encounters.insert_new(uow, [c.row for c in candidates], [line for c in candidates for line in c.lines])


def _existing_or_conflict(candidate: _Candidate, row: StoredRow, row_lines: Sequence[StoredRow]) -> ItemOutcome:
    """The same content again is the stored encounter; other content under its key is a conflict."""
    if row.request_hash == candidate.request_hash:
        return ItemOutcome(candidate.index, "existing", summary(row, row_lines))
    message = (
        f"encounter {row.id} already has this external_id with other content: correct it with PUT /v1/encounters/{{id}}"
    )
    return ItemOutcome(candidate.index, "conflict", summary(row, row_lines), [_reason("external_id", message)])


async def correct(
    uow: UnitOfWork, principal: Principal, encounter_id: UUID, body: EncounterIn, *, today: date
) -> EncounterSummary:
    """Replace an encounter with a corrected version; charges of the previous version are voided.

    A voided encounter can be corrected too: it comes back as a new version."""
    row = await _locked(uow, principal, encounter_id)
    for name in ("practice_id", "external_id"):
        if getattr(body, name) != getattr(row, name):
            raise RuleViolation(f"{name} cannot change in a correction", field=name)
    candidate = _Candidate(0, body, request_hash(body))
    if candidate.request_hash == row.request_hash:
        return summary(row, await _lines(uow, row.id, row.version))
    found = await lookup(ReferenceData(uow.session, principal.tenant_id), row.practice_id, body)
    assert found is not None  # the encounter's practice exists
    _code(candidate, found, principal.tenant_id, today=today, encounter_id=row.id, version=row.version + 1)
    if row.status == "coded":
        uow.publish(_voided(row, "corrected"))
    unchanged = ("id", "tenant_id", "practice_id", "external_id", "created_at")
    values = {k: v for k, v in candidate.row.items() if k not in unchanged}
    await encounters.store_version(uow, row.id, values, candidate.lines)
    for event in candidate.events:
        uow.publish(event)
    return _summary_of(candidate)


async def void(uow: UnitOfWork, principal: Principal, encounter_id: UUID, reason: str) -> None:
    """Withdraw an encounter (the visit should not be billed); its charges, if any, are voided. Repeatable."""
    row = await _locked(uow, principal, encounter_id)
    if row.status == "voided":
        return
    if row.status == "coded":
        uow.publish(_voided(row, reason))
    await encounters.mark_voided(uow, row.id)


async def _locked(uow: UnitOfWork, principal: Principal, encounter_id: UUID) -> StoredRow:
    row = await encounters.in_scope_or_none(uow.session, principal, encounter_id, lock=True)
    if row is None:
        raise NotFound("encounter not found")
    return row


def _voided(row: StoredRow, reason: str) -> contract.ChargeVoided:
    return contract.ChargeVoided(
        tenant_id=row.tenant_id,
        practice_id=row.practice_id,
        encounter_id=row.id,
        version=row.version,
        external_id=row.external_id,
        service_date=row.service_date,
        reason=reason,
    )


def _code(
    candidate: _Candidate,
    reference: Reference,
    tenant_id: UUID,
    *,
    today: date,
    encounter_id: UUID,
    version: int,
) -> None:
    """Code one encounter and fill in the candidate's row, charge lines and events."""
    body = candidate.body
    coding = coding_of(body, reference)
    problems = set_up_issues(body, reference, today) + list(coding.problems)
    status = "needs_review" if problems else "coded"
    now = datetime.now(UTC)
    candidate.row = {
        "id": encounter_id, "tenant_id": tenant_id, "practice_id": body.practice_id, "external_id": body.external_id,
        "version": version, "status": status, "service_date": body.service_date, "payer_id": body.coverage.payer_id,
        "rendering_provider_npi": body.rendering_provider_npi, "place_of_service": coding.place_of_service,
        "total_amount": coding.total if status == "coded" else None, "request": body.model_dump(mode="json"),
        "request_hash": candidate.request_hash, "problems": [issue_json(i) for i in problems],
        "warnings": [issue_json(i) for i in coding.warnings], "created_at": now, "updated_at": now,
    }  # fmt: skip
    candidate.lines = line_rows(body, coding, encounter_id, version)
    common = {
        "tenant_id": tenant_id, "practice_id": body.practice_id, "encounter_id": encounter_id, "version": version,
        "external_id": body.external_id, "service_date": body.service_date,
    }  # fmt: skip
    candidate.events = [contract.EncounterReceived(**common)]
    if status == "coded":
        candidate.events.append(captured(common, body, coding, reference, candidate.lines))
    else:
        candidate.events.append(contract.ChargeRejected(**common, reasons=[Reason(**issue_json(i)) for i in problems]))


def _reason(field_: str, message: str) -> Reason:
    return Reason(rule="request", field=field_, message=message)


def _summary_of(candidate: _Candidate) -> EncounterSummary:
    return summary(SimpleNamespace(**candidate.row), [SimpleNamespace(**line) for line in candidate.lines])


def summary(row: Any, lines: Sequence[Any]) -> EncounterSummary:
    """An encounter row and its current lines (database rows or the values about to be stored)."""
    return EncounterSummary(
        id=row.id,
        practice_id=row.practice_id,
        external_id=row.external_id,
        version=row.version,
        status=row.status,
        service_date=row.service_date,
        place_of_service=row.place_of_service,
        total_amount=row.total_amount,
        charges=[ChargeOut.model_validate(line, from_attributes=True) for line in lines],
        problems=[Reason(**p) for p in row.problems],
        warnings=[Reason(**w) for w in row.warnings],
    )


async def _lines(uow: UnitOfWork, encounter_id: UUID, version: int) -> Sequence[StoredRow]:
    return (await lines_of(uow.session, [(encounter_id, version)])).get(encounter_id, [])
