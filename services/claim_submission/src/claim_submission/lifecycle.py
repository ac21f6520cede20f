"""The claim's life, in the caller's transaction: created from charges, held or ready, corrected, voided,
released; every change recorded in its history and published.

Corrections follow the payer's rules (docs/domain.md §5): a claim the payer never accepted is simply replaced
by a new original; a claim the payer accepted is corrected with frequency 7 (all lines) or voided with
frequency 8, both carrying the payer's claim number in REF*F8. When that number is not known yet (the 277CA is
still to come) the correction waits, held, and is released when the number arrives.
"""

from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from claimstream_platform.contracts import Reason
from claimstream_platform.contracts import claim_submission as events
from claimstream_platform.contracts.charge_capture import ChargeCaptured, ChargeVoided
from claimstream_platform.contracts.denial_management import CorrectionRequested
from claimstream_platform.db import UnitOfWork
from claimstream_platform.errors import Conflict, NotFound, RuleViolation
from sqlalchemy import insert, select, update
from sqlalchemy.engine import Row

from claim_submission import domain
from claim_submission.moves import common_ids, event_identity, transition
from claim_submission.scrub import scrub
from claim_submission.tables import claim_history, claims

OPEN = tuple(sorted(str(s) for s in domain.OPEN))
AT_PAYER = tuple(sorted(str(s) for s in domain.AT_PAYER))  # may be in the payer's system
AWAITING_NUMBER = "correction.awaiting-payer-claim-number"


def duplicate_key(charges: ChargeCaptured) -> str:
    codes = ",".join(sorted(f"{line.code}:{':'.join(line.modifiers)}" for line in charges.lines))
    return f"{charges.coverage.member_id}|{charges.rendering_provider.npi}|{charges.service_date}|{codes}"


async def on_charge_captured(event: ChargeCaptured, uow: UnitOfWork) -> None:
    """A coded encounter (or a corrected version of one) becomes a claim."""
    earlier = (
        await uow.session.execute(
            select(claims)
            .where(claims.c.tenant_id == event.tenant_id, claims.c.encounter_id == event.encounter_id)
            .order_by(claims.c.created_at.desc())
            .with_for_update()
        )
    ).all()
    if any(claim.encounter_version == event.version for claim in earlier):
        return  # replayed after a crash before the inbox row: already done
    previous = next((claim for claim in earlier if claim.status in OPEN), None)
    await create_claim(uow, event, previous=previous, today=today())


async def create_claim(
    uow: UnitOfWork,
    charges: ChargeCaptured,
    *,
    previous: Row[Any] | None,
    today: date,
    frequency: str = "",
    note: str | None = None,
) -> UUID:
    """A new claim version for `charges`: a replacement of `previous` when the payer may have it, else an original."""
    replaces = previous if previous is not None and previous.status in AT_PAYER else None
    if previous is not None and replaces is None and previous.status in OPEN:
        await transition(uow, previous, "replaced", detail={"by": "a corrected encounter"})
    frequency = frequency or ("7" if replaces is not None else "1")
    duplicate = await _has_duplicate(uow, charges, exclude=replaces.id if replaces is not None else None)
    reasons = scrub(charges, today=today, duplicate=duplicate)
    if replaces is not None and not replaces.payer_claim_number:
        waiting = "the corrected claim waits for the payer's number of the claim it replaces"
        reasons.append(Reason(rule=AWAITING_NUMBER, field="payer_claim_number", message=waiting))
    row = claim_row(charges, reasons, frequency=frequency, replaces=replaces, note=note)
    (pcn,) = await insert_claims(uow, [row])
    publish_created(uow, charges, row, pcn, reasons)
    return UUID(str(row["id"]))


def claim_row(
    charges: ChargeCaptured, reasons: Sequence[Reason], *, frequency: str = "1", replaces: Row[Any] | None = None,
    note: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    """The claims row of a new claim version: held when any reason stands, else ready."""
    return {
        "id": uuid4(),
        "tenant_id": charges.tenant_id,
        "practice_id": charges.practice_id,
        "encounter_id": charges.encounter_id,
        "encounter_version": charges.version,
        "payer_id": charges.payer.payer_id,
        "status": "held" if reasons else "ready",
        "frequency": frequency,
        "payer_claim_number": replaces.payer_claim_number if replaces is not None else None,
        "replaces_claim_id": replaces.id if replaces is not None else None,
        "total_charge": sum((line.amount for line in charges.lines), Decimal(0)),
        "service_date": charges.service_date,
        "duplicate_key": duplicate_key(charges),
        "charges": charges.model_dump(mode="json"),
        "reasons": [r.model_dump() for r in reasons],
        # NTE*ADD tells the payer why a correction or void comes: the request's reason, else the default
        "correction_note": (note or ("corrected claim" if frequency == "7" else "void")) if replaces else None,
    }


async def insert_claims(uow: UnitOfWork, rows: Sequence[dict[str, Any]]) -> list[str]:
    """Insert new claim versions and their first history rows (a few statements for any number); returns their
    patient control numbers, in order (numbered by the database: CS + the claim_numbers sequence)."""
    numbers = await uow.session.execute(
        insert(claims).returning(claims.c.patient_control_number, sort_by_parameter_order=True), list(rows)
    )
    history = [
        {"claim_id": row["id"], "status": row["status"],
         "detail": {"frequency": row["frequency"], "reasons": [r["rule"] for r in row["reasons"]]}}
        for row in rows
    ]  # fmt: skip
    await uow.session.execute(insert(claim_history), history)
    return [str(number) for number in numbers.scalars()]


def publish_created(
    uow: UnitOfWork, charges: ChargeCaptured, row: dict[str, Any], pcn: str, reasons: Sequence[Reason]
) -> None:
    common = common_ids(charges.tenant_id, charges.practice_id, row["id"], charges.encounter_id, pcn)
    replaces = row["replaces_claim_id"]
    uow.publish(
        events.ClaimCreated(
            **common, payer_id=charges.payer.payer_id, frequency=row["frequency"], total_charge=row["total_charge"],
            service_date=charges.service_date, replaces_claim_id=replaces,
        )
    )  # fmt: skip
    if replaces is not None:
        uow.publish(events.ClaimResubmitted(**common, replaces_claim_id=replaces, frequency=row["frequency"]))
    if reasons:
        uow.publish(events.ClaimHeld(**common, reasons=list(reasons)))


async def on_charge_voided(event: ChargeVoided, uow: UnitOfWork) -> None:
    """Charges withdrawn: their claim is voided. For a correction ("corrected") a claim the payer may have waits
    for the corrected charges, which replace it; one that never left is voided now, since its charges no longer
    stand even if the corrected encounter is held for review."""
    claim = await _current_claim(uow, event.tenant_id, event.encounter_id)
    if claim is None or claim.encounter_version != event.version:
        return
    if event.reason == "corrected" and claim.status in AT_PAYER:
        return
    await void(uow, claim, reason=event.reason, today=today())


async def on_correction_requested(event: CorrectionRequested, uow: UnitOfWork) -> None:
    claim = await _claim(uow, event.tenant_id, event.claim_id, lock=True)
    if claim is None or claim.status in ("voided", "replaced"):
        return  # nothing left to correct (already corrected by an earlier request)
    charges = ChargeCaptured.model_validate(claim.charges)
    if event.prior_authorization_number:
        charges = charges.model_copy(update={"prior_authorization_number": event.prior_authorization_number})
    if event.resubmit_as == "new_original":
        await transition(uow, claim, "replaced", detail={"by": "a new original", "reason": event.reason})
        await create_claim(uow, charges, previous=None, today=today(), frequency="1")
    else:
        await create_claim(uow, charges, previous=claim, today=today(), note=event.reason[:80])


async def void(uow: UnitOfWork, claim: Row[Any], *, reason: str, today: date) -> None:
    """Void locally when the payer never had the claim; otherwise send a frequency 8 for it."""
    if claim.status not in AT_PAYER:
        if claim.status in OPEN or claim.status == "rejected":
            await transition(uow, claim, "voided", detail={"reason": reason})
            uow.publish(events.ClaimVoided(**event_identity(claim), reason=reason))
        return
    voiding = await uow.session.scalar(
        select(claims.c.id)
        .where(claims.c.replaces_claim_id == claim.id, claims.c.frequency == "8", claims.c.status.in_(OPEN))
        .limit(1)
    )
    if voiding is not None:
        return  # a retried void: the frequency-8 claim is already on its way
    charges = ChargeCaptured.model_validate(claim.charges)
    await create_claim(uow, charges, previous=claim, today=today, frequency="8", note=f"void: {reason}"[:80])
    uow.publish(events.ClaimVoided(**event_identity(claim), reason=reason))


async def release(uow: UnitOfWork, claim: Row[Any], *, acknowledged: list[str], today: date) -> list[Reason]:
    """Scrub again; send when nothing is left but reasons the caller acknowledges. Returns what still holds it."""
    if claim.status not in ("held", "rejected"):
        raise Conflict(f"a {claim.status} claim cannot be released", field="status")
    charges = ChargeCaptured.model_validate(claim.charges)
    duplicate = await _has_duplicate(uow, charges, exclude=claim.id)
    reasons = scrub(charges, today=today, duplicate=duplicate)
    if claim.frequency in ("7", "8") and not claim.payer_claim_number:
        reasons.append(
            Reason(rule=AWAITING_NUMBER, field="payer_claim_number", message="the payer's number is not known yet")
        )
    remaining = [r for r in reasons if r.rule not in acknowledged or r.rule == AWAITING_NUMBER]
    if remaining:
        return remaining
    await uow.session.execute(
        update(claims).where(claims.c.id == claim.id).values(acknowledged_rules=acknowledged, reasons=[])
    )
    await transition(uow, claim, "ready", detail={"released": True, "acknowledged": acknowledged})
    return []


async def release_waiting_corrections(uow: UnitOfWork, numbered: dict[UUID, str]) -> None:
    """The payer numbered claims (id -> its number): corrections that waited for those numbers can go."""
    if not numbered:
        return
    waiting = (
        await uow.session.execute(
            select(claims)
            .where(claims.c.replaces_claim_id.in_(list(numbered)), claims.c.status == "held")
            .with_for_update()
        )
    ).all()
    for claim in waiting:
        number = numbered[claim.replaces_claim_id]
        reasons = [r for r in claim.reasons if r["rule"] != AWAITING_NUMBER]
        await uow.session.execute(
            update(claims).where(claims.c.id == claim.id).values(payer_claim_number=number, reasons=reasons)
        )
        if not reasons:
            await transition(uow, claim, "ready", detail={"payer_claim_number": number})


async def _current_claim(uow: UnitOfWork, tenant_id: UUID, encounter_id: UUID) -> Row[Any] | None:
    """The encounter's newest claim that is still open, locked."""
    return (
        await uow.session.execute(
            select(claims)
            .where(claims.c.tenant_id == tenant_id, claims.c.encounter_id == encounter_id, claims.c.status.in_(OPEN))
            .order_by(claims.c.created_at.desc())
            .limit(1)
            .with_for_update()
        )
    ).one_or_none()


async def _claim(uow: UnitOfWork, tenant_id: UUID, claim_id: UUID, *, lock: bool = False) -> Row[Any] | None:
    query = select(claims).where(claims.c.id == claim_id, claims.c.tenant_id == tenant_id)
    return (await uow.session.execute(query.with_for_update() if lock else query)).one_or_none()


async def locked_claim(uow: UnitOfWork, tenant_id: UUID, claim_id: UUID) -> Row[Any]:
    claim = await _claim(uow, tenant_id, claim_id, lock=True)
    if claim is None:
        raise NotFound("claim not found")
    return claim


async def _has_duplicate(uow: UnitOfWork, charges: ChargeCaptured, *, exclude: UUID | None) -> bool:
    query = select(claims.c.id).where(
        claims.c.tenant_id == charges.tenant_id,
        claims.c.duplicate_key == duplicate_key(charges),
        claims.c.status.in_(OPEN),
        claims.c.encounter_id != charges.encounter_id,
    )
    if exclude is not None:
        query = query.where(claims.c.id != exclude)
    return (await uow.session.scalar(query.limit(1))) is not None


def today() -> date:
    return datetime.now(UTC).date()


def require_releasable(remaining: list[Reason]) -> None:
    if remaining:
        raise RuleViolation("; ".join(f"{r.rule}: {r.message}" for r in remaining), field="acknowledge")
