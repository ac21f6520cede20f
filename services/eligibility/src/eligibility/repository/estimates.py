"""Good Faith Estimates: stored as issued, read back within the caller's tenant and practices, and the charges
billed against each kept per encounter."""

import json
from dataclasses import asdict
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from claimstream_platform.auth import Principal
from claimstream_platform.db import UnitOfWork
from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert

from eligibility.estimate import Estimate, Service
from eligibility.tables import estimate_charges, good_faith_estimates

g = good_faith_estimates.c


async def add(uow: UnitOfWork, tenant_id: UUID, practice_id: UUID, estimate_id: UUID, estimate: Estimate) -> None:
    document = json.loads(json.dumps(asdict(estimate), default=str))
    await uow.session.execute(good_faith_estimates.insert().values(
        id=estimate_id, tenant_id=tenant_id, practice_id=practice_id, patient_ref=estimate.patient_ref,
        document=document, period_from=estimate.period_from, period_to=estimate.period_to, total=estimate.total,
    ))  # fmt: skip


async def find(uow: UnitOfWork, principal: Principal, estimate_id: UUID) -> tuple[Estimate, Decimal] | None:
    """The estimate and what has been billed against it so far."""
    query = select(good_faith_estimates).where(g.id == estimate_id, g.tenant_id == principal.tenant_id)
    if principal.practice_ids is not None:
        query = query.where(g.practice_id.in_(list(principal.practice_ids)))
    row = (await uow.session.execute(query)).first()
    if row is None:
        return None
    billed = await uow.session.scalar(select(func.coalesce(func.sum(estimate_charges.c.amount), 0))
                                      .where(estimate_charges.c.estimate_id == estimate_id))  # fmt: skip
    return _estimate(row.document), Decimal(billed or 0)


def _estimate(document: dict[str, Any]) -> Estimate:
    services = tuple(
        Service(s["code"], s["label"], Decimal(s["fee"]), int(s["quantity"])) for s in document["services"]
    )
    return Estimate(
        patient_ref=document["patient_ref"], patient_name=document["patient_name"],
        birth_date=date.fromisoformat(document["birth_date"]), provider_name=document["provider_name"],
        provider_npi=document["provider_npi"], period_from=date.fromisoformat(document["period_from"]),
        period_to=date.fromisoformat(document["period_to"]), services=services,
        issued_on=date.fromisoformat(document["issued_on"]),
    )  # fmt: skip


async def bill(uow: UnitOfWork, tenant_id: UUID, practice_id: UUID, patient_ref: str, served: date,
               encounter_id: UUID, amount: Decimal | None) -> list[tuple[UUID, Decimal, Decimal]]:  # fmt: skip
    """Record the encounter's charge (None: voided) against the patient's estimates covering `served`; the
    estimates not yet exceeded, locked, with their totals and what is billed against them now."""
    query = select(g.id, g.total).where(
        g.tenant_id == tenant_id, g.practice_id == practice_id, g.patient_ref == patient_ref,
        g.period_from <= served, g.period_to >= served, g.exceeded_at.is_(None),
    ).with_for_update()  # fmt: skip
    open_estimates = (await uow.session.execute(query)).all()
    found = []
    for estimate_id, total in open_estimates:
        key = (estimate_charges.c.estimate_id == estimate_id) & (estimate_charges.c.encounter_id == encounter_id)
        if amount is None:
            await uow.session.execute(delete(estimate_charges).where(key))
        else:
            row = {"estimate_id": estimate_id, "encounter_id": encounter_id, "amount": amount}
            statement = insert(estimate_charges).values(row)
            await uow.session.execute(statement.on_conflict_do_update(index_elements=["estimate_id", "encounter_id"],
                                                                      set_={"amount": amount}))  # fmt: skip
        billed = await uow.session.scalar(select(func.sum(estimate_charges.c.amount))
                                          .where(estimate_charges.c.estimate_id == estimate_id))  # fmt: skip
        found.append((estimate_id, Decimal(total), Decimal(billed or 0)))
    return found


async def mark_exceeded(uow: UnitOfWork, estimate_id: UUID) -> None:
    await uow.session.execute(update(good_faith_estimates).where(g.id == estimate_id)
                              .values(exceeded_at=datetime.now(UTC)))  # fmt: skip


async def patient_of(uow: UnitOfWork, encounter_id: UUID) -> str | None:
    """The patient whose estimate an encounter was billed against (a voided charge names only its encounter)."""
    query = (
        select(g.patient_ref)
        .join(estimate_charges, estimate_charges.c.estimate_id == g.id)
        .where(estimate_charges.c.encounter_id == encounter_id)
        .limit(1)
    )
    found: str | None = await uow.session.scalar(query)
    return found
