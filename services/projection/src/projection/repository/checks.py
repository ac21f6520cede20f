"""The money checksum in SQL (checks.py says it): per encounter, the live claims' charge from `claims` against the
ledger's entries by kind, summed per tenant; the encounters whose two sides differ, for the alert."""

from decimal import Decimal
from typing import Any
from uuid import UUID

from claimstream_platform.auth import Principal
from claimstream_platform.db import UnitOfWork
from sqlalchemy import Numeric, func, literal, select
from sqlalchemy.engine import Row

from projection.checks import ADJUSTED, PAID
from projection.repository.scope import scoped
from projection.tables import claims, ledger

c, e = claims.c, ledger.c
LIVE = (c.responsibility == "primary") & c.closed_at.is_(None) & (c.frequency != "8")
SIDES = ("charged", "paid", "adjusted", "written_off", "patient", "insurance")


def _per_encounter(principal: Principal, practice_id: UUID | None) -> Any:
    charged = scoped(
        select(c.encounter_id, func.sum(c.charged).filter(LIVE).label("charged")), claims, principal, practice_id
    ).group_by(c.encounter_id)
    booked = scoped(
        select(
            e.encounter_id,
            func.sum(-e.amount).filter(e.kind.in_(PAID)).label("paid"),
            func.sum(-e.amount).filter(e.kind.in_(ADJUSTED)).label("adjusted"),
            func.sum(-e.amount).filter(e.kind == "write_off").label("written_off"),
            func.sum(e.amount).filter(e.party == "patient").label("patient"),
            func.sum(e.amount).filter(e.party == "insurance").label("insurance"),
        ),
        ledger,
        principal,
        practice_id,
    ).group_by(e.encounter_id)
    left, right = charged.subquery(), booked.subquery()
    zero = literal(Decimal(0), Numeric(14, 2))
    sides = [func.coalesce(left.c.charged, zero).label("charged")]
    sides += [func.coalesce(right.c[name], zero).label(name) for name in SIDES[1:]]
    encounter = func.coalesce(left.c.encounter_id, right.c.encounter_id).label("encounter_id")
    joined = left.join(right, left.c.encounter_id == right.c.encounter_id, full=True)
    return select(encounter, *sides).select_from(joined).subquery()


def _difference(per: Any) -> Any:
    return per.c.charged - (per.c.paid + per.c.adjusted + per.c.written_off + per.c.patient + per.c.insurance)


async def totals(uow: UnitOfWork, principal: Principal, practice_id: UUID | None) -> Any:
    """The tenant's (or one practice's) sums of both sides, the difference, and how many encounters are off."""
    per = _per_encounter(principal, practice_id)
    difference = _difference(per)
    query = select(
        *(func.coalesce(func.sum(per.c[name]), 0).label(name) for name in SIDES),
        func.coalesce(func.sum(difference), 0).label("difference"),
        func.count().label("encounters"),
        func.count().filter(difference != 0).label("encounters_off"),
    )
    return (await uow.session.execute(query)).one()


async def off(uow: UnitOfWork, principal: Principal, practice_id: UUID | None, limit: int) -> list[Row[Any]]:
    """The encounters whose checksum does not hold, largest difference first."""
    per = _per_encounter(principal, practice_id)
    difference = _difference(per)
    query = select(per, difference.label("difference")).where(difference != 0)
    return list(await uow.session.execute(query.order_by(func.abs(difference).desc()).limit(limit)))


async def of_encounter(uow: UnitOfWork, principal: Principal, encounter_id: UUID) -> Row[Any] | None:
    per = _per_encounter(principal, None)
    query = select(per, _difference(per).label("difference")).where(per.c.encounter_id == encounter_id)
    return (await uow.session.execute(query)).one_or_none()
