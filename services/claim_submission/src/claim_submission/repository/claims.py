"""Claims read into the aggregate (`domain.Claim`) and stored from it.

`save` writes what the aggregate recorded: each claim's new status, guarded by the status it was read in (a
claim another transaction moved meanwhile is refused, never overwritten), its changed fields and a history row
per move, in a few statements for any number of claims.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from claimstream_platform.contracts import Reason
from claimstream_platform.db import UnitOfWork, hold_names
from sqlalchemy import Select, bindparam, func, insert, select, tuple_, update
from sqlalchemy.engine import Row

from claim_submission.domain.claim import Claim
from claim_submission.domain.states import OPEN, ClaimStatus, IllegalTransition
from claim_submission.tables import claim_history, claims

OPEN_STATES = sorted(str(s) for s in OPEN)


def claim_of(row: Row[Any]) -> Claim:
    return Claim(
        id=row.id,
        tenant_id=row.tenant_id,
        practice_id=row.practice_id,
        encounter_id=row.encounter_id,
        encounter_version=row.encounter_version,
        payer_id=row.payer_id,
        status=ClaimStatus(row.status),
        frequency=row.frequency,
        stored_content=row.content,
        total_charge=row.total_charge,
        service_date=row.service_date,
        patient_control_number=row.patient_control_number,
        payer_claim_number=row.payer_claim_number,
        replaces_claim_id=row.replaces_claim_id,
        reasons=[Reason.model_validate(r) for r in row.reasons],
        acknowledged_rules=list(row.acknowledged_rules),
        interchange_number=row.interchange_number,
        transaction_control=row.transaction_control,
        correction_note=row.correction_note,
        updated_at=row.updated_at,
        overdue_at=row.overdue_at,
        stored_status=ClaimStatus(row.status),
    )


async def _locked(uow: UnitOfWork, query: Select[Any], *, skip_locked: bool = False) -> list[Claim]:
    rows = await uow.session.execute(query.with_for_update(skip_locked=skip_locked))
    return [claim_of(row) for row in rows]


async def lock(uow: UnitOfWork, tenant_id: UUID, claim_id: UUID) -> Claim | None:
    found = await _locked(uow, select(claims).where(claims.c.id == claim_id, claims.c.tenant_id == tenant_id))
    return found[0] if found else None


async def lock_many(uow: UnitOfWork, claim_ids: Iterable[UUID]) -> list[Claim]:
    return await _locked(uow, select(claims).where(claims.c.id.in_(list(claim_ids))).order_by(claims.c.id))


async def lock_of_encounter(
    uow: UnitOfWork, tenant_id: UUID, encounter_id: UUID, *, open_only: bool = False
) -> list[Claim]:
    """The encounter's claims, newest first."""
    query = select(claims).where(claims.c.tenant_id == tenant_id, claims.c.encounter_id == encounter_id)
    if open_only:
        query = query.where(claims.c.status.in_(OPEN_STATES))
    return await _locked(uow, query.order_by(claims.c.created_at.desc()))


async def lock_where(
    uow: UnitOfWork,
    *,
    statuses: Sequence[str],
    tenant_id: UUID | None = None,
    interchange_number: int | None = None,
    control_numbers: Sequence[str] | None = None,
    replacing: Sequence[UUID] | None = None,
) -> list[Claim]:
    """Claims in `statuses`, of a tenant, of an interchange, with these CLM01s or replacing these claims."""
    query = select(claims).where(claims.c.status.in_([str(s) for s in statuses]))
    if tenant_id is not None:
        query = query.where(claims.c.tenant_id == tenant_id)
    if interchange_number is not None:
        query = query.where(claims.c.interchange_number == interchange_number)
    if control_numbers is not None:
        query = query.where(claims.c.patient_control_number.in_(list(control_numbers)))
    if replacing is not None:
        query = query.where(claims.c.replaces_claim_id.in_(list(replacing)))
    return await _locked(uow, query.order_by(claims.c.id))


async def ready_to_batch(uow: UnitOfWork, limit: int) -> list[Claim]:
    """The oldest ready claims no other sender holds."""
    query = select(claims).where(claims.c.status == "ready").order_by(claims.c.created_at).limit(limit)
    return await _locked(uow, query, skip_locked=True)


async def awaiting_since(uow: UnitOfWork, statuses: Iterable[str], before: datetime, limit: int) -> list[Claim]:
    """Claims in `statuses` unchanged since before `before` and not yet flagged overdue, oldest first."""
    query = (
        select(claims)
        .where(claims.c.status.in_([str(s) for s in statuses]), claims.c.overdue_at.is_(None))
        .where(claims.c.updated_at < before)
        .order_by(claims.c.updated_at)
        .limit(limit)
    )
    return await _locked(uow, query, skip_locked=True)


async def open_duplicates(
    uow: UnitOfWork, wanted: Iterable[tuple[UUID, str]]
) -> dict[tuple[UUID, str], list[tuple[UUID, UUID]]]:
    """The open claims (encounter id, claim id) of each (tenant, duplicate key) of `wanted`, asked under the keys'
    locks (_hold)."""
    pairs = list(set(wanted))
    await _hold(uow, pairs)
    rows = await uow.session.execute(
        select(claims.c.tenant_id, claims.c.duplicate_key, claims.c.encounter_id, claims.c.id)
        .where(tuple_(claims.c.tenant_id, claims.c.duplicate_key).in_(pairs))
        .where(claims.c.status.in_(OPEN_STATES))
    )
    found: dict[tuple[UUID, str], list[tuple[UUID, UUID]]] = defaultdict(list)
    for row in rows:
        found[(row.tenant_id, row.duplicate_key)].append((row.encounter_id, row.id))
    return found


async def _hold(uow: UnitOfWork, pairs: Iterable[tuple[UUID, str]]) -> None:
    """Until this transaction ends, it alone asks about these duplicate keys. An EHR that posts one visit twice
    makes two encounters, which come on different partitions: asked at once, neither would see the other's claim
    and both would leave. The second waits here for the first to commit, and finds its claim."""
    await hold_names(uow, (f"claim-submission:duplicate:{tenant}:{key}" for tenant, key in pairs))


async def encounters_with_claims(uow: UnitOfWork, wanted: Iterable[tuple[UUID, UUID]]) -> set[tuple[UUID, UUID]]:
    rows = await uow.session.execute(
        select(claims.c.tenant_id, claims.c.encounter_id)
        .where(tuple_(claims.c.tenant_id, claims.c.encounter_id).in_(list(set(wanted))))
        .distinct()
    )
    return {(row.tenant_id, row.encounter_id) for row in rows}


async def void_on_its_way(uow: UnitOfWork, claim_id: UUID) -> bool:
    """An open frequency 8 claim for `claim_id` already exists."""
    query = select(claims.c.id).where(
        claims.c.replaces_claim_id == claim_id, claims.c.frequency == "8", claims.c.status.in_(OPEN_STATES)
    )
    return (await uow.session.scalar(query.limit(1))) is not None


async def insert_new(uow: UnitOfWork, new: Sequence[Claim], keys: Sequence[str]) -> None:
    """Store new claim versions (with their duplicate keys) and their first history rows in two statements; each
    is numbered by the database (CS + the claim_numbers sequence) and records its creation."""
    if not new:
        return
    numbers = await uow.session.execute(
        insert(claims).returning(claims.c.patient_control_number, sort_by_parameter_order=True),
        [_row(claim, key) for claim, key in zip(new, keys, strict=True)],
    )
    for claim, number in zip(new, numbers.scalars(), strict=True):
        claim.numbered(str(number))
        claim.stored_status = claim.status
    history = [
        {
            "claim_id": c.id,
            "status": str(c.status),
            "detail": {"frequency": c.frequency, "reasons": [r.rule for r in c.reasons]},
        }
        for c in new
    ]
    await uow.session.execute(insert(claim_history), history)


def _row(claim: Claim, key: str) -> dict[str, Any]:
    return {
        "id": claim.id,
        "tenant_id": claim.tenant_id,
        "practice_id": claim.practice_id,
        "encounter_id": claim.encounter_id,
        "encounter_version": claim.encounter_version,
        "payer_id": claim.payer_id,
        "status": str(claim.status),
        "frequency": claim.frequency,
        "payer_claim_number": claim.payer_claim_number,
        "replaces_claim_id": claim.replaces_claim_id,
        "total_charge": claim.total_charge,
        "service_date": claim.service_date,
        "duplicate_key": key,
        "content": claim.stored_content,
        "reasons": [r.model_dump() for r in claim.reasons],
        "correction_note": claim.correction_note,
    }


async def save(uow: UnitOfWork, changed: Iterable[Claim]) -> None:
    """Store what the claims recorded: fields, then each status guarded by the one it was read in, then history."""
    changed = [claim for claim in changed if claim.moves or claim.dirty]
    dirty = [claim for claim in changed if claim.dirty]
    if dirty:
        await uow.session.execute(
            update(claims)
            .where(claims.c.id == bindparam("claim_id"))
            .values(
                reasons=bindparam("r"),
                payer_claim_number=bindparam("n"),
                acknowledged_rules=bindparam("a"),
                overdue_at=bindparam("o"),
            ),
            [
                {
                    "claim_id": c.id,
                    "r": [r.model_dump() for r in c.reasons],
                    "n": c.payer_claim_number,
                    "a": c.acknowledged_rules,
                    "o": c.overdue_at,
                }
                for c in dirty
            ],
        )
    await _store_moves(uow, [claim for claim in changed if claim.moves])
    for claim in changed:
        claim.stored_status, claim.moves, claim.dirty = claim.status, [], False


async def _store_moves(uow: UnitOfWork, moved: Sequence[Claim]) -> None:
    groups: dict[tuple[str, str], list[UUID]] = defaultdict(list)
    for claim in moved:
        groups[(str(claim.stored_status), str(claim.status))].append(claim.id)
    for (source, target), ids in groups.items():
        updated = await uow.session.scalars(
            update(claims)
            .where(claims.c.id.in_(ids), claims.c.status == source)
            .values(status=target, updated_at=func.now())
            .returning(claims.c.id)
        )
        if len(set(updated)) != len(ids):
            raise IllegalTransition(f"claims moved by another transaction cannot become {target}")
    if moved:
        history = [{"claim_id": c.id, "status": str(m.target), "detail": m.detail} for c in moved for m in c.moves]
        await uow.session.execute(insert(claim_history), history)


async def store_binding(uow: UnitOfWork, bound: Sequence[Claim]) -> None:
    """Bound claims' interchange and ST02, with their move to submitting."""
    await uow.session.execute(
        update(claims)
        .where(claims.c.id == bindparam("claim_id"))
        .values(interchange_number=bindparam("number"), transaction_control=bindparam("control")),
        [{"claim_id": c.id, "number": c.interchange_number, "control": c.transaction_control} for c in bound],
    )
    await save(uow, bound)
