"""The KPIs' figures in SQL, as of a date: claim sets (kpis.DRILL names them) over the claims' milestone times,
and money from the ledger's dated entries. The same sets answer the drill-down: the claims behind a number
(`uow.kpis`)."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from claimstream_platform.auth import Principal
from claimstream_platform.paging import keyset_page
from sqlalchemy import Date, Integer, cast, func, select
from sqlalchemy.engine import Row
from sqlalchemy.sql.elements import ColumnElement

from projection.checks import ADJUSTED, PAID
from projection.repository.reports import cutoff
from projection.repository.scope import ReadModel
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


def _day(column: Any) -> Any:
    return cast(func.timezone("UTC", column), Date)


class Kpis(ReadModel):
    table = claims

    def cohort(self, principal: Principal, period: Period, query: Any) -> Any:
        """The period's claims as they stood on `as_of`: date of service in range, created by then."""
        query = self.scoped(query, principal, period.practice_id).where(
            c.service_date >= period.service_from,
            c.service_date <= period.service_to,
            c.created_at < cutoff(period.as_of),
        )
        return query if period.payer_id is None else query.where(c.payer_id == period.payer_id)

    async def figures(self, principal: Principal, period: Period) -> dict[str, Any]:
        m = cutoff(period.as_of)
        counted = [func.count().filter(SETS[name](m)).label(name) for name in SETS if name not in ("billed", "open")]
        query = self.cohort(
            principal,
            period,
            select(
                *counted,
                func.sum(c.first_denied_amount).filter(SETS["denied_first"](m)).label("denied_dollars"),
                func.sum(c.charged).filter(SETS["adjudicated"](m)).label("adjudicated_charges"),
                func.sum(c.charged).filter(SETS["billed"](m)).label("charges"),
                func.avg(_day(c.submitted_at) - c.service_date).filter(SETS["submitted"](m)).label("charge_lag"),
                func.avg(_day(c.paid_at) - _day(c.submitted_at)).filter(SETS["paid"](m)).label("payment_lag"),
                func.sum(c.interest).label("interest"),
            ),
        )
        found = dict((await self.session.execute(query)).one()._mapping)
        found.update(await self._money(principal, period))
        return found

    async def _money(self, principal: Principal, period: Period) -> dict[str, Any]:
        """Payments (net of reversals and recoupments) and contractual and payment adjustments of the period's
        claims, and the open debit balances of every claim on `as_of` (days in A/R), in one pass over the ledger
        up to then."""
        e = ledger.c
        owed = e.amount if period.payer_id is None else e.amount * (e.party == "insurance").cast(Integer)
        per_claim = self.scoped(
            select(
                e.service_date,
                func.sum(owed).label("balance"),
                func.sum(-e.amount).filter(e.kind.in_(PAID)).label("payments"),
                func.sum(-e.amount).filter(e.kind.in_(ADJUSTED)).label("contractual"),
            ),
            principal,
            period.practice_id,
            ledger,
        )
        per_claim = per_claim.where(e.at < cutoff(period.as_of), e.service_date <= period.as_of)
        if period.payer_id is not None:
            per_claim = per_claim.where(e.payer_id == period.payer_id)
        claim = per_claim.group_by(e.claim_id, e.service_date).subquery()
        in_period = (claim.c.service_date >= period.service_from) & (claim.c.service_date <= period.service_to)
        query = select(
            func.sum(claim.c.payments).filter(in_period).label("payments"),
            func.sum(claim.c.contractual).filter(in_period).label("contractual"),
            func.sum(claim.c.balance).filter(claim.c.balance > 0).label("ar"),
        )
        return dict((await self.session.execute(query)).one()._mapping)

    async def drill(
        self, principal: Principal, period: Period, claim_set: str, *, limit: int, cursor: UUID | None
    ) -> tuple[Sequence[Row[Any]], UUID | None]:
        """A page of the claims of one set: what a KPI's numerator or denominator counted."""
        query = self.cohort(principal, period, select(claims, c.claim_id.label("id")))
        query = query.where(SETS[claim_set](cutoff(period.as_of)))
        return await keyset_page(self.session, query, c.claim_id, limit=limit, cursor=cursor)
