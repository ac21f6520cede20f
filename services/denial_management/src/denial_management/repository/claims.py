"""The claims denials concern, mapped from claim submission's and remittance posting's events."""

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from claimstream_platform.db import UnitOfWork
from sqlalchemy import and_, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Row

from denial_management.automatic import KnownClaim
from denial_management.tables import authorizations, cases, claims


async def remember(uow: UnitOfWork, rows: Sequence[dict[str, Any]]) -> None:
    """A redelivered announcement changes nothing."""
    if rows:
        await uow.session.execute(insert(claims).values(list(rows)).on_conflict_do_nothing())


async def accepted(uow: UnitOfWork, claim_id: UUID, on: date, payer_claim_number: str | None) -> None:
    values: dict[str, Any] = {"accepted_on": func.coalesce(claims.c.accepted_on, on)}
    if payer_claim_number:
        values["payer_claim_number"] = payer_claim_number
    await uow.session.execute(update(claims).where(claims.c.claim_id == claim_id).values(**values))


async def add_payment(uow: UnitOfWork, claim_id: UUID, paid: Decimal, payer_claim_number: str | None) -> None:
    values: dict[str, Any] = {"paid": claims.c.paid + paid}
    if payer_claim_number:
        values["payer_claim_number"] = payer_claim_number
    await uow.session.execute(update(claims).where(claims.c.claim_id == claim_id).values(**values))


async def row_of(uow: UnitOfWork, tenant_id: UUID, claim_id: UUID) -> Row[Any] | None:
    query = select(claims).where(claims.c.tenant_id == tenant_id, claims.c.claim_id == claim_id)
    return (await uow.session.execute(query)).one_or_none()


async def known(uow: UnitOfWork, tenant_id: UUID, claim_id: UUID) -> KnownClaim | None:
    """The claim as the automatic fixes see it: its place, lines, acceptance, whether another claim of its
    encounter was paid, and the causes we already fixed by machine on the claim it replaces."""
    row = await row_of(uow, tenant_id, claim_id)
    if row is None:
        return None
    others = select(func.count()).where(
        claims.c.tenant_id == tenant_id,
        claims.c.encounter_id == row.encounter_id,
        claims.c.claim_id != claim_id,
        claims.c.paid > 0,
    )
    fixed: set[str] = set()
    if row.replaces_claim_id is not None:
        query = select(cases.c.category).where(
            and_(cases.c.claim_id == row.replaces_claim_id, cases.c.automatic, cases.c.fix.is_not(None))
        )
        fixed = set(await uow.session.scalars(query))
    return KnownClaim(
        claim_id=row.claim_id,
        place_of_service=row.place_of_service,
        lines={line["line_number"]: list(line["modifiers"]) for line in row.lines},
        accepted_on=row.accepted_on,
        original_paid=bool(await uow.session.scalar(others)),
        corrected_by_us_for=frozenset(fixed),
        authorization_number=row.authorization_number,
        covering_authorization=await _covering(uow, row),
    )


async def remember_authorization(uow: UnitOfWork, row: dict[str, Any]) -> None:
    await uow.session.execute(insert(authorizations).values(row).on_conflict_do_nothing())


async def _covering(uow: UnitOfWork, claim: Any) -> str | None:
    """The number of the patient's approved authorization with the claim's payer that covers one of its codes on
    its date of service (the soonest ending)."""
    if claim.patient_ref is None or claim.practice_id is None:
        return None
    a = authorizations.c
    query = (
        select(a.number, a.codes)
        .where(
            a.tenant_id == claim.tenant_id,
            a.practice_id == claim.practice_id,
            a.patient_ref == claim.patient_ref,
            a.payer_id == claim.payer_id,
            a.start <= claim.service_date,
            a.end >= claim.service_date,
        )
        .order_by(a.end)
    )
    codes = {line["code"] for line in claim.lines}
    return next((r.number for r in await uow.session.execute(query) if codes & set(r.codes)), None)
