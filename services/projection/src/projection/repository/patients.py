"""The patients' money as the projection keeps it (`uow.patients`): patient billing's money events, kept as facts
beside the ledger (facts.py), summed for the checksum's patient terms (checks.PatientSide) and for patient
collections (kpis.BASIS). Every query names `PATIENT_MONEY`, the predicate the facts' partial index is made for.

An account's last `AccountStandingAnnounced` is an opening: its totals stand for everything before it, and only
the events numbered after it are summed on top (an installation upgraded from before standings, whose earlier
events the projection never kept)."""

from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from claimstream_platform.auth import Principal
from sqlalchemy import Integer, Numeric, Select, Uuid, cast, func, literal, or_, select, union_all
from sqlalchemy.dialects.postgresql import JSONB, distinct_on

from projection.checks import (
    ADJUSTED_BY_PRACTICE,
    CHARGED,
    CREDIT_APPLIED,
    RECEIVED,
    REFUND_FAILED,
    REFUNDED,
    STANDING,
    PatientSide,
)
from projection.repository.kpis import Period
from projection.repository.reports import cutoff
from projection.repository.scope import ReadModel
from projection.tables import PATIENT_MONEY, facts, ledger

f = facts.c
ACCOUNT, STANDING_OF = f.data["account_id"].astext, f.data["standing"]
SEQUENCE = cast(STANDING_OF["sequence"].astext, Integer)
SUMMED = (CHARGED, RECEIVED, REFUNDED, REFUND_FAILED, ADJUSTED_BY_PRACTICE)
TERMS = ("billed", "paid", "refunded", "adjusted")


def _number(json: Any, name: str) -> Any:
    return cast(json[name].astext, Numeric(14, 2))


def _total(column: Any, where: Any = None) -> Any:
    summed = func.sum(column) if where is None else func.sum(column).filter(where)
    return func.coalesce(summed, 0)


class PatientFacts(ReadModel):
    table = facts

    def _of(self, principal: Principal, practice_id: UUID | None, *columns: Any) -> Select[Any]:
        return self.scoped(select(*columns), principal, practice_id).where(PATIENT_MONEY)

    async def side(self, principal: Principal, practice_id: UUID | None, share: Decimal) -> PatientSide:
        """The patient terms beside the ledger's patient balance `share`."""
        opening = self._openings(principal, practice_id)
        amount = _number(f.data, "amount").label("amount")
        events = self._of(principal, practice_id, ACCOUNT.label("account"), SEQUENCE.label("sequence"), f.type, amount)
        moved = events.where(f.type.in_(SUMMED)).subquery()
        after = or_(opening.c.sequence.is_(None), moved.c.sequence > opening.c.sequence)
        by_type = {kind: _total(moved.c.amount, moved.c.type == kind) for kind in SUMMED}
        counted = select(
            by_type[CHARGED].label("billed"),
            by_type[RECEIVED].label("paid"),
            (by_type[REFUNDED] - by_type[REFUND_FAILED]).label("refunded"),
            by_type[ADJUSTED_BY_PRACTICE].label("adjusted"),
        ).select_from(moved.outerjoin(opening, opening.c.account == moved.c.account))
        summed = (await self.session.execute(counted.where(after))).one()
        opened = (await self.session.execute(select(*(_total(opening.c[t]).label(t) for t in TERMS)))).one()
        standings = await self._last_standings(principal, practice_id)
        totals = {t: summed._mapping[t] + opened._mapping[t] for t in TERMS}
        missing = await self._gaps(principal, practice_id, opening)
        return PatientSide(share=share, **totals, open=standings.owed, credit=standings.held, events_missing=missing)

    def _openings(self, principal: Principal, practice_id: UUID | None) -> Any:
        """Each account's last announced standing, with its totals to date."""
        totals = f.data["totals"]
        columns = [ACCOUNT.label("account"), SEQUENCE.label("sequence"), _number(STANDING_OF, "shares").label("billed")]
        columns += [_number(totals, name).label(name) for name in ("paid", "refunded", "adjusted")]
        query = self._of(principal, practice_id, *columns).where(f.type == STANDING, totals.astext.is_not(None))
        return query.ext(distinct_on(ACCOUNT)).order_by(ACCOUNT, SEQUENCE.desc()).subquery()

    async def _last_standings(self, principal: Principal, practice_id: UUID | None) -> Any:
        """Every account's last standing summed: what they owe and what they hold."""
        latest = (
            self._of(principal, practice_id, _number(STANDING_OF, "owed").label("owed"))
            .add_columns(_number(STANDING_OF, "held").label("held"))
            .where(STANDING_OF["sequence"].astext.is_not(None))
            .ext(distinct_on(ACCOUNT))
            .order_by(ACCOUNT, SEQUENCE.desc())
            .subquery()
        )
        return (
            await self.session.execute(select(_total(latest.c.owed).label("owed"), _total(latest.c.held).label("held")))
        ).one()

    async def _gaps(self, principal: Principal, practice_id: UUID | None, opening: Any) -> int:
        """The numbers missing from the accounts' money events after their openings (from 1 without one): each
        account's last number, less its opening's, less how many numbered events it has after it."""
        numbered = self._of(principal, practice_id, ACCOUNT.label("account"), SEQUENCE.label("sequence"))
        events = numbered.where(STANDING_OF["sequence"].astext.is_not(None)).subquery()
        n = events.c
        opened = func.coalesce(func.max(opening.c.sequence), 0)
        after = func.count().filter(or_(opening.c.sequence.is_(None), n.sequence > opening.c.sequence))
        per_account = (
            select((func.max(n.sequence) - opened - after).label("missing"))
            .select_from(events.outerjoin(opening, opening.c.account == n.account))
            .group_by(n.account)
            .subquery()
        )
        return int(await self.session.scalar(select(_total(per_account.c.missing))) or 0)

    async def collected(self, principal: Principal, period: Period) -> Any:
        """What the patients paid toward their shares of the period's visits by `as_of`: per visit, what was applied
        to it less what left it (refunded or moved to another visit), up to its share in the ledger then less what
        the practice forgave."""
        practice_id, moment = period.practice_id, cutoff(period.as_of)
        every = union_all(*self._movements(principal, practice_id, moment)).subquery()
        visit, amount = cast(every.c.item["encounter_id"].astext, Uuid), _number(every.c.item, "amount")
        per_visit = select(
            visit.label("encounter_id"),
            _total(amount * every.c.sign, every.c.kind == "paid").label("paid"),
            _total(amount, every.c.kind == "adjusted").label("adjusted"),
        )
        paid = per_visit.group_by(visit).subquery()
        e = ledger.c
        shares = self.scoped(select(e.encounter_id, func.sum(e.amount).label("share")), principal, practice_id, ledger)
        in_period = (e.service_date >= period.service_from, e.service_date <= period.service_to)
        share = shares.where(e.party == "patient", e.at < moment, *in_period).group_by(e.encounter_id).subquery()
        toward = func.greatest(func.least(paid.c.paid, share.c.share - paid.c.adjusted), 0)
        query = select(_total(toward)).where(paid.c.encounter_id == share.c.encounter_id, share.c.share > 0)
        return await self.session.scalar(query)

    def _movements(self, principal: Principal, practice_id: UUID | None, moment: datetime) -> list[Select[Any]]:
        """(item: {encounter_id, amount}, sign, kind) for every amount that reached or left a visit by `moment`."""

        def each(json: Any, sign: int, kind: str, *types: str) -> Select[Any]:
            columns = (json.label("item"), literal(sign).label("sign"), literal(kind).label("kind"))
            return self._of(principal, practice_id, *columns).where(f.type.in_(types), f.at < moment)

        one = func.jsonb_build_object("encounter_id", f.data["encounter_id"], "amount", f.data["amount"], type_=JSONB)
        return [
            each(func.jsonb_array_elements(f.data["applied"], type_=JSONB), 1, "paid", RECEIVED),
            each(one, 1, "paid", CREDIT_APPLIED),
            each(func.jsonb_array_elements(f.data["taken_from"], type_=JSONB), -1, "paid", REFUNDED, CREDIT_APPLIED),
            each(one, 1, "adjusted", ADJUSTED_BY_PRACTICE),
        ]
