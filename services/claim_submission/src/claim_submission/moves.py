"""Moving claims between states: the status, a history row per claim, and the reasons of a claim held or rejected.

Every move is checked against `domain.MOVES` in the UPDATE that makes it, so an illegal one is refused, not stored.
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from claimstream_platform.contracts import Reason
from claimstream_platform.contracts import claim_submission as events
from claimstream_platform.db import UnitOfWork
from sqlalchemy import bindparam, insert, update
from sqlalchemy.engine import Row

from claim_submission import domain
from claim_submission.tables import claim_history, claims


async def hold_many(uow: UnitOfWork, held: Sequence[Row[Any]], reasons: Sequence[list[Reason]]) -> None:
    """Back to the work queue with the reasons (a claim that could not be written or sent)."""
    await move_with_reasons(uow, held, "held", reasons)
    for claim, found in zip(held, reasons, strict=True):
        uow.publish(events.ClaimHeld(**event_identity(claim), reasons=found))


async def move_with_reasons(
    uow: UnitOfWork, moved: Sequence[Row[Any]], status: str, reasons: Sequence[list[Reason]], **detail: str
) -> None:
    """Store each claim's reasons and move them all to `status` (the work queue's held or rejected)."""
    if not moved:
        return
    await uow.session.execute(
        update(claims).where(claims.c.id == bindparam("claim_id")).values(reasons=bindparam("found")),
        [{"claim_id": c.id, "found": [r.model_dump() for r in found]} for c, found in zip(moved, reasons, strict=True)],
    )
    await transition_many(
        uow, [c.id for c in moved], status, [{**detail, "reasons": [r.rule for r in found]} for found in reasons]
    )


async def transition(uow: UnitOfWork, claim: Row[Any], status: str, *, detail: dict[str, Any] | None = None) -> None:
    await transition_many(uow, [claim.id], status, [detail or {}])


async def transition_many(
    uow: UnitOfWork, claim_ids: Sequence[UUID], status: str, details: Sequence[dict[str, Any]]
) -> None:
    """Move many claims to one status in two statements: the update and the history rows. A claim whose state
    does not allow the move (`domain.MOVES`) fails the whole call, so nothing illegal is stored."""
    if not claim_ids:
        return
    moved = await uow.session.scalars(
        update(claims)
        .where(claims.c.id.in_(list(claim_ids)), claims.c.status.in_([str(s) for s in domain.sources(status)]))
        .values(status=status, updated_at=datetime.now(UTC))
        .returning(claims.c.id)
    )
    refused = set(claim_ids) - set(moved)
    if refused:
        raise domain.IllegalTransition(f"{len(refused)} claim(s) cannot become {status} from their state")
    await uow.session.execute(
        insert(claim_history),
        [
            {"claim_id": claim_id, "status": status, "detail": detail}
            for claim_id, detail in zip(claim_ids, details, strict=True)
        ],
    )


def event_identity(claim: Row[Any]) -> dict[str, Any]:
    return common_ids(claim.tenant_id, claim.practice_id, claim.id, claim.encounter_id, claim.patient_control_number)


def common_ids(
    tenant_id: UUID, practice_id: UUID | None, claim_id: UUID, encounter_id: UUID, pcn: str
) -> dict[str, Any]:
    return {
        "tenant_id": tenant_id,
        "practice_id": practice_id,
        "claim_id": claim_id,
        "encounter_id": encounter_id,
        "patient_control_number": pcn,
    }
