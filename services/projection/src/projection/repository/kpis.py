"""The KPIs' figures in SQL, as of a date: claim sets (kpis.DRILL names them) over the claims' milestone times,
and money from the ledger's dated entries. The same sets answer the drill-down: the claims behind a number."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from claimstream_platform.auth import Principal
from claimstream_platform.db import UnitOfWork
from claimstream_platform.paging import keyset_page
from sqlalchemy import Date, cast, func, select
from sqlalchemy.engine import Row
from sqlalchemy.sql.elements import ColumnElement

from projection.repository.reports import balances, cutoff
from projection.repository.scope import scoped
from projection.tables import claims, ledger

c = claims.c
Predicate = Callable[[datetime], ColumnElement[bool]]


@dataclass(frozen=True)
class Period:
    practice_id: UUID | None
    payer_id: str | None
    service_from: date
    service_to: date
    as_of: date


def _by(column: Any, moment: datetime) -> ColumnElement[bool]:
    reached: ColumnElement[bool] = column.is_not(None) & (column < moment)
    return reached


def _not_by(column: Any, moment: datetime) -> ColumnElement[bool]:
    not_yet: ColumnElement[bool] = column.is_(None) | (column >= moment)
    return not_yet


_ORIGINAL = (c.frequency == "1") & (c.responsibility == "primary")


def _submitted(m: datetime) -> ColumnElement[bool]:
    return _ORIGINAL & _by(c.submitted_at, m)


def _adjudicated(m: datetime) -> ColumnElement[bool]:
    return _ORIGINAL & _by(c.adjudicated_at, m)


def _reworked(m: datetime) -> ColumnElement[bool]:
    return _by(c.held_at, m) | _by(c.rejected_at, m) | _by(c.closed_at, m)


SETS: dict[str, Predicate] = {
    "submitted": _submitted,
    "clean": lambda m: _submitted(m) & ~_reworked(m),
    "adjudicated": _adjudicated,
    "resolved_first_pass": lambda m: (
        _adjudicated(m) & ~c.first_denied & _not_by(c.rejected_at, m) & _not_by(c.closed_at, m)
    ),
    "denied_first": lambda m: _adjudicated(m) & c.first_denied,
    "billed": lambda m: (c.responsibility == "primary") & (c.frequency != "8") & _not_by(c.closed_at, m),
    "paid": lambda m: _ORIGINAL & _by(c.paid_at, m) & _by(c.submitted_at, m),
    "open": lambda m: _not_by(c.closed_at, m),
}


def cohort(principal: Principal, period: Period, query: Any) -> Any:
    """The period's claims as they stood on `as_of`: date of service in range, created by then."""
    query = scoped(query, claims, principal, period.practice_id).where(
        c.service_date >= period.service_from, c.service_date <= period.service_to,
        c.created_at < cutoff(period.as_of),
    )  # fmt: skip
    return query if period.payer_id is None else query.where(c.payer_id == period.payer_id)


def _day(column: Any) -> Any:
    return cast(func.timezone("UTC", column), Date)


async def figures(uow: UnitOfWork, principal: Principal, period: Period) -> dict[str, Any]:
    m = cutoff(period.as_of)
    counted = [func.count().filter(SETS[name](m)).label(name) for name in SETS if name not in ("billed", "open")]
    query = cohort(principal, period, select(
        *counted,
        func.sum(c.first_denied_amount).filter(SETS["denied_first"](m)).label("denied_dollars"),
        func.sum(c.charged).filter(SETS["adjudicated"](m)).label("adjudicated_charges"),
        func.sum(c.charged).filter(SETS["billed"](m)).label("charges"),
        func.avg(_day(c.submitted_at) - c.service_date).filter(SETS["submitted"](m)).label("charge_lag"),
        func.avg(_day(c.paid_at) - _day(c.submitted_at)).filter(SETS["paid"](m)).label("payment_lag"),
    ))  # fmt: skip
    found = dict((await uow.session.execute(query)).one()._mapping)
    found.update(await _money(uow, principal, period))
    return found


async def _money(uow: UnitOfWork, principal: Principal, period: Period) -> dict[str, Any]:
    entries = scoped(select(
        func.sum(-ledger.c.amount).filter(ledger.c.kind == "payment").label("payments"),
        func.sum(-ledger.c.amount).filter(ledger.c.kind == "contractual").label("contractual"),
    ), ledger, principal, period.practice_id).where(
        ledger.c.service_date >= period.service_from, ledger.c.service_date <= period.service_to,
        ledger.c.at < cutoff(period.as_of),
    )  # fmt: skip
    if period.payer_id is not None:
        entries = entries.where(ledger.c.payer_id == period.payer_id)
    found = dict((await uow.session.execute(entries)).one()._mapping)
    party = None if period.payer_id is None else "insurance"
    owed = balances(principal, period.practice_id, period.as_of, party, ledger.c.payer_id)
    open_debits = select(func.sum(owed.c.balance)).where(owed.c.balance > 0)
    if period.payer_id is not None:
        open_debits = open_debits.where(owed.c.key == period.payer_id)
    found["ar"] = await uow.session.scalar(open_debits)
    return found


async def drill(uow: UnitOfWork, principal: Principal, period: Period, claim_set: str, *, limit: int,
                cursor: UUID | None) -> tuple[Sequence[Row[Any]], UUID | None]:  # fmt: skip
    """A page of the claims of one set: what a KPI's numerator or denominator counted."""
    query = cohort(principal, period, select(claims, c.claim_id.label("id"))).where(
        SETS[claim_set](cutoff(period.as_of))
    )
    return await keyset_page(uow.session, query, c.claim_id, limit=limit, cursor=cursor)
