"""The money checksum in SQL (checks.py says it): per encounter, the live claims' charge from `claims` against the
ledger's entries by kind, summed per tenant; the encounters whose two sides differ, for the alert (`uow.checks`;
the patient terms are `uow.patients`)."""

from decimal import Decimal
from typing import Any
from uuid import UUID

from claimstream_platform.auth import Principal
from claimstream_platform.paging import OrderedPageRequest, ordered_page
from sqlalchemy import Numeric, String, cast, func, literal, select
from sqlalchemy.engine import Row

from projection.checks import (
    ADJUSTED,
    PAID,
)
from projection.repository.scope import ReadModel
from projection.tables import claims, facts, ledger

c, e, f = claims.c, ledger.c, facts.c
LIVE = (c.responsibility == "primary") & c.closed_at.is_(None) & (c.frequency != "8")
SIDES = ("charged", "paid", "adjusted", "written_off", "patient", "insurance")


def _difference(per: Any) -> Any:
    return per.c.charged - (per.c.paid + per.c.adjusted + per.c.written_off + per.c.patient + per.c.insurance)


class Checks(ReadModel):
    table = claims

    def _per_encounter(self, principal: Principal, practice_id: UUID | None) -> Any:
        charged = self.scoped(
            select(c.encounter_id, func.sum(c.charged).filter(LIVE).label("charged")), principal, practice_id
        ).group_by(c.encounter_id)
        booked = self.scoped(
            select(
                e.encounter_id,
                func.sum(-e.amount).filter(e.kind.in_(PAID)).label("paid"),
                func.sum(-e.amount).filter(e.kind.in_(ADJUSTED)).label("adjusted"),
                func.sum(-e.amount).filter(e.kind == "write_off").label("written_off"),
                func.sum(e.amount).filter(e.party == "patient").label("patient"),
                func.sum(e.amount).filter(e.party == "insurance").label("insurance"),
            ),
            principal,
            practice_id,
            ledger,
        ).group_by(e.encounter_id)
        left, right = charged.subquery(), booked.subquery()
        zero = literal(Decimal(0), Numeric(14, 2))
        sides = [func.coalesce(left.c.charged, zero).label("charged")]
        sides += [func.coalesce(right.c[name], zero).label(name) for name in SIDES[1:]]
        encounter = func.coalesce(left.c.encounter_id, right.c.encounter_id).label("encounter_id")
        joined = left.join(right, left.c.encounter_id == right.c.encounter_id, full=True)
        return select(encounter, *sides).select_from(joined).subquery()

    async def totals(self, principal: Principal, practice_id: UUID | None) -> Any:
        """The tenant's (or one practice's) sums of both sides, the difference, and how many encounters are off."""
        per = self._per_encounter(principal, practice_id)
        difference = _difference(per)
        query = select(
            *(func.coalesce(func.sum(per.c[name]), 0).label(name) for name in SIDES),
            func.coalesce(func.sum(difference), 0).label("difference"),
            func.count().label("encounters"),
            func.count().filter(difference != 0).label("encounters_off"),
        )
        return (await self.session.execute(query)).one()

    async def off(
        self, principal: Principal, practice_id: UUID | None, page: OrderedPageRequest
    ) -> tuple[list[Row[Any]], str | None]:
        """A page of the encounters whose checksum does not hold, the largest difference first."""
        per = self._per_encounter(principal, practice_id)
        difference = _difference(per)
        off = (
            select(
                per,
                difference.label("difference"),
                func.abs(difference, type_=Numeric(14, 2)).label("size"),
                func.coalesce(cast(per.c.encounter_id, String), "").label("encounter_key"),  # never null in a key
            )
            .where(difference != 0)
            .subquery()
        )
        order = [off.c.size, off.c.encounter_key]
        return await ordered_page(
            self.session, select(off), order, limit=page.limit, cursor=page.cursor, newest_first=True
        )

    async def of_encounter(self, principal: Principal, encounter_id: UUID) -> Row[Any] | None:
        per = self._per_encounter(principal, None)
        query = select(per, _difference(per).label("difference")).where(per.c.encounter_id == encounter_id)
        return (await self.session.execute(query)).one_or_none()
