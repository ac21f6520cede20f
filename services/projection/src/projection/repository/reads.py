"""The claim list (filters, keyset pages) and one claim with its timeline: its own facts and its encounter's
(`uow.reads`)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from claimstream_platform.auth import Principal
from claimstream_platform.paging import OrderedPageRequest, keyset_page, ordered_page
from sqlalchemy import Float, and_, case, cast, or_, select
from sqlalchemy.engine import Row

from projection.model import RANK
from projection.repository.scope import ReadModel
from projection.tables import claims, facts


@dataclass(frozen=True)
class ClaimFilter:
    practice_id: UUID | None = None
    status: str | None = None
    payer_id: str | None = None
    provider_npi: str | None = None
    encounter_external_id: str | None = None
    service_date_from: date | None = None
    service_date_to: date | None = None
    denial_category: str | None = None


class Reads(ReadModel):
    table = claims

    def _filtered(self, principal: Principal, wanted: ClaimFilter) -> Any:
        query = self.scoped(select(claims, claims.c.claim_id.label("id")), principal, wanted.practice_id)
        for column, value in (
            (claims.c.status, wanted.status),
            (claims.c.payer_id, wanted.payer_id),
            (claims.c.provider_npi, wanted.provider_npi),
            (claims.c.external_id, wanted.encounter_external_id),
            (claims.c.denial_category, wanted.denial_category),
        ):
            if value is not None:
                query = query.where(column == value)
        if wanted.service_date_from is not None:
            query = query.where(claims.c.service_date >= wanted.service_date_from)
        if wanted.service_date_to is not None:
            query = query.where(claims.c.service_date <= wanted.service_date_to)
        return query

    async def claim_page(
        self, principal: Principal, wanted: ClaimFilter, *, limit: int, cursor: UUID | None
    ) -> tuple[Sequence[Row[Any]], UUID | None]:
        query = self._filtered(principal, wanted)
        return await keyset_page(self.session, query, claims.c.claim_id, limit=limit, cursor=cursor)

    async def claim(self, principal: Principal, claim_id: UUID) -> Any:
        query = self.scoped(select(claims), principal, None).where(claims.c.claim_id == claim_id)
        return (await self.session.execute(query)).first()

    async def timeline(self, found: Row[Any], page: OrderedPageRequest) -> tuple[list[Row[Any]], str | None]:
        """A page of the facts that touched the claim (its own, and its encounter's that name no other claim), the
        latest first in the one order of an encounter's facts (model.order: time, lifecycle rank, event id)."""
        touched = (
            select(facts.c.event_id, facts.c.type, facts.c.source, facts.c.at, facts.c.data, _rank().label("rank"))
            .where(self.mine(found.tenant_id, facts))
            .where(
                or_(
                    facts.c.claim_id == found.claim_id,
                    and_(facts.c.encounter_id == found.encounter_id, facts.c.claim_id.is_(None)),
                )
            )
            .subquery()
        )
        order = [touched.c.at, touched.c.rank, touched.c.event_id]  # a uuid sorts as its text does (model.order)
        return await ordered_page(
            self.session, select(touched), order, limit=page.limit, cursor=page.cursor, newest_first=True
        )


def _rank() -> Any:
    """model.order's lifecycle rank in SQL: a timeline pages in the order an encounter's facts fold in."""
    reversal = and_(facts.c.type == "payment.posted", facts.c.data["outcome"].astext == "reversed")
    by_type = case(*((facts.c.type == kind, rank) for kind, rank in RANK.items()), else_=20)
    return cast(by_type, Float) - case((reversal, 0.5), else_=0.0)
