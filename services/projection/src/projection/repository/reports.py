"""A/R aging and patient balances as of any date, summed from the ledger's dated entries (entries after the date
are left out, so an answer for a past date is what the model held then), and denial analytics (`uow.reports`)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from claimstream_platform.auth import Principal
from claimstream_platform.dates import end_of_business_day
from claimstream_platform.paging import OrderedPageRequest, keyset_page, ordered_page
from sqlalchemy import Date, cast, func, literal, select
from sqlalchemy import case as when
from sqlalchemy.engine import Row

from projection.kpis import BUCKETS
from projection.repository.scope import ReadModel
from projection.tables import claims, denial_cases, ledger

AGING_KEYS = {"payer": ledger.c.payer_id, "patient": ledger.c.patient_ref, "provider": ledger.c.provider_npi}
PARTY = {"payer": "insurance", "patient": "patient", "provider": None}  # provider: both parties
AGED = (*(name for name, _, _ in BUCKETS), "total", "credits")  # an aging row's sums


def cutoff(as_of: date) -> datetime:
    """The first instant after `as_of` on the business calendar (`as_of` defaults to the business date): entries
    before it count."""
    return end_of_business_day(as_of)


DENIAL_KEYS = {
    "category": denial_cases.c.category,
    "payer": denial_cases.c.payer_id,
    "code": denial_cases.c.procedure_code,
    "provider": denial_cases.c.provider_npi,
}


@dataclass(frozen=True)
class Opened:
    """Cases opened in a period, keyed by one of DENIAL_KEYS or `carc`."""

    practice_id: UUID | None
    opened_from: date
    opened_to: date
    by: str


class Reports(ReadModel):
    table = ledger

    def balances(self, principal: Principal, practice_id: UUID | None, as_of: date, party: str | None, key: Any) -> Any:
        """Each claim's balance on `as_of` (for one party, or both), with the key it is grouped by, and the day its
        age counts from: the date of service, or for the patient's part the day it first became the patient's."""
        became_owed = cast(func.timezone("UTC", func.min(ledger.c.at).filter(ledger.c.amount > 0)), Date)
        since = became_owed if party == "patient" else func.min(ledger.c.service_date)
        query = self.scoped(
            select(
                ledger.c.claim_id,
                key.label("key"),
                ledger.c.service_date,
                func.sum(ledger.c.amount).label("balance"),
                since.label("since"),
            ),
            principal,
            practice_id,
        )
        query = query.where(ledger.c.at < cutoff(as_of), ledger.c.service_date <= as_of)
        if party is not None:
            query = query.where(ledger.c.party == party)
        return query.group_by(ledger.c.claim_id, key, ledger.c.service_date).subquery()

    def _aging(self, principal: Principal, practice_id: UUID | None, by: str, as_of: date) -> Any:
        """Open balances by age in the five buckets, per payer, patient or provider; credit balances (overpaid)
        apart, never netted into a bucket. A payer's balance ages from the date of service, a patient's from the
        day it became hers (what the payer left her), not from a visit months before."""
        owed = self.balances(principal, practice_id, as_of, PARTY[by], AGING_KEYS[by])
        age = literal(as_of, Date) - func.coalesce(owed.c.since, owed.c.service_date)
        positive = owed.c.balance > 0
        columns = [
            func.coalesce(func.sum(when(((age >= low) & (age <= high) & positive, owed.c.balance))), 0).label(name)
            for name, low, high in BUCKETS
        ]
        return (
            select(
                owed.c.key,
                func.coalesce(owed.c.key, "").label("sort_key"),  # a key's part is never null (no payer, say)
                *columns,
                func.coalesce(func.sum(when((positive, owed.c.balance))), 0).label("total"),
                func.coalesce(func.sum(when((owed.c.balance < 0, owed.c.balance))), 0).label("credits"),
                func.count().filter(positive).label("claims"),
            )
            .group_by(owed.c.key)
            .having(func.sum(func.abs(owed.c.balance)) > 0)
            .subquery()
        )

    async def aging(
        self, principal: Principal, practice_id: UUID | None, by: str, as_of: date, page: OrderedPageRequest
    ) -> tuple[Sequence[Any], str | None, Any]:
        """A page of the aging's rows by key, its next cursor, and the totals of every row (the buckets, the
        credits and the claims)."""
        rows = self._aging(principal, practice_id, by, as_of)
        found, next_cursor = await ordered_page(
            self.session, select(rows), [rows.c.sort_key], limit=page.limit, cursor=page.cursor
        )
        sums = [func.coalesce(func.sum(rows.c[name]), 0).label(name) for name in (*AGED, "claims")]
        return found, next_cursor, (await self.session.execute(select(*sums))).one()

    async def patient_balances(
        self, principal: Principal, practice_id: UUID | None, as_of: date, page: OrderedPageRequest
    ) -> tuple[list[Row[Any]], str | None]:
        """A page of what each patient owes on `as_of` (their share of every claim), by the practice's patient id."""
        owed = self.balances(principal, practice_id, as_of, "patient", ledger.c.patient_ref)
        per_patient = (
            select(
                owed.c.key.label("patient_ref"),
                func.sum(owed.c.balance).label("balance"),
                func.count().filter(owed.c.balance > 0).label("claims"),
                func.min(owed.c.service_date).filter(owed.c.balance > 0).label("oldest_service_date"),
            )
            .where(owed.c.key.is_not(None))
            .group_by(owed.c.key)
            .having(func.sum(owed.c.balance) != 0)
            .subquery()
        )
        order = [per_patient.c.patient_ref]
        return await ordered_page(self.session, select(per_patient), order, limit=page.limit, cursor=page.cursor)

    def _cases(self, principal: Principal, opened: Opened) -> Any:
        key = func.unnest(denial_cases.c.codes) if opened.by == "carc" else DENIAL_KEYS[opened.by]
        query = self.scoped(select(denial_cases, key.label("key")), principal, opened.practice_id, denial_cases)
        query = query.where(
            denial_cases.c.opened_at >= cutoff(opened.opened_from - timedelta(days=1)),
            denial_cases.c.opened_at < cutoff(opened.opened_to),
        )
        return query.subquery()

    async def denial_analytics(self, principal: Principal, opened: Opened) -> Sequence[Any]:
        """Denial and rejection cases opened in the period, counted and summed by one key; `carc` counts a case
        once per group-CARC pair it carries (RARCs and 277CA codes left out)."""
        cases = self._cases(principal, opened)
        query = (
            select(
                cases.c.key,
                func.count().label("cases"),
                func.sum(cases.c.recoverable).label("amount"),
                func.count().filter(cases.c.kind == "rejection").label("rejections"),
                func.count().filter(cases.c.resolution.is_not(None)).label("resolved"),
                func.sum(cases.c.recovered).label("recovered"),
                func.sum(cases.c.written_off).label("written_off"),
            )
            .group_by(cases.c.key)
            .order_by(func.sum(cases.c.recoverable).desc(), cases.c.key)
        )
        if opened.by == "carc":
            query = query.where(cases.c.key.like("__-%"))
        return (await self.session.execute(query)).all()

    async def denial_claims(
        self, principal: Principal, opened: Opened, key: str, *, limit: int, cursor: UUID | None
    ) -> tuple[Sequence[Row[Any]], UUID | None]:
        """A page of the claims behind one row of the analytics."""
        cases = self._cases(principal, opened)
        query = self.scoped(select(claims, claims.c.claim_id.label("id")), principal, opened.practice_id, claims)
        query = query.where(claims.c.claim_id.in_(select(cases.c.claim_id).where(cases.c.key == key)))
        return await keyset_page(self.session, query, claims.c.claim_id, limit=limit, cursor=cursor)
