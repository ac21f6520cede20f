"""The money checksum in SQL (checks.py says it): per encounter, the live claims' charge from `claims` against the
ledger's entries by kind, summed per tenant; the encounters whose two sides differ, for the alert; and the patient
terms, from the patient accounts' money events kept as facts (`uow.checks`)."""

from decimal import Decimal
from typing import Any
from uuid import UUID

from claimstream_platform.auth import Principal
from claimstream_platform.paging import OrderedPageRequest, ordered_page
from sqlalchemy import Integer, Numeric, String, cast, func, literal, select
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.engine import Row

from projection.checks import (
    ADJUSTED,
    ADJUSTED_BY_PRACTICE,
    CHARGED,
    CREDIT_APPLIED,
    PAID,
    RECEIVED,
    REFUND_FAILED,
    REFUNDED,
    STANDING,
    PatientSide,
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

    async def patient_side(self, principal: Principal, practice_id: UUID | None, share: Decimal) -> PatientSide:
        """The patient terms beside the ledger's patient balance `share`: the accounts' money events summed, and
        each account's last standing (the count of its numbered events beside its last number finds a gap)."""
        sums = self.scoped(
            select(*(_sum(kind) for kind in (CHARGED, RECEIVED, REFUNDED, REFUND_FAILED, ADJUSTED_BY_PRACTICE))),
            principal,
            practice_id,
            facts,
        )
        moved = (await self.session.execute(sums.where(f.type.in_(MONEY_TYPES)))).one()
        standing = f.data["standing"]
        account, sequence = f.data["account_id"].astext, cast(standing["sequence"].astext, Integer)
        latest = (
            self.scoped(
                select(
                    _number(standing, "owed").label("owed"),
                    _number(standing, "held").label("held"),
                    (sequence - func.count().over(partition_by=account)).label("missing"),
                ),
                principal,
                practice_id,
                facts,
            )
            .where(f.type.in_(MONEY_TYPES), standing["sequence"].astext.is_not(None))
            .ext(distinct_on(account))
            .order_by(account, sequence.desc())
            .subquery()
        )
        query = select(*(func.coalesce(func.sum(latest.c[n]), 0).label(n) for n in ("owed", "held", "missing")))
        standings = (await self.session.execute(query)).one()
        return PatientSide(
            share=share,
            billed=moved[0],
            paid=moved[1],
            refunded=moved[2] - moved[3],
            adjusted=moved[4],
            open=standings.owed,
            credit=standings.held,
            events_missing=int(standings.missing),
        )


MONEY_TYPES = (CHARGED, RECEIVED, REFUNDED, REFUND_FAILED, ADJUSTED_BY_PRACTICE, CREDIT_APPLIED, STANDING)


def _number(json: Any, name: str) -> Any:
    return cast(json[name].astext, Numeric(14, 2))


def _sum(kind: str) -> Any:
    """The amounts of one type of the accounts' money events."""
    return func.coalesce(func.sum(_number(f.data, "amount")).filter(f.type == kind), 0)
