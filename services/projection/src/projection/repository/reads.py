"""The claim list (filters, keyset pages) and one claim with its timeline: its own facts and its encounter's
(`uow.reads`)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from claimstream_platform.auth import Principal
from claimstream_platform.paging import keyset_page
from sqlalchemy import and_, or_, select
from sqlalchemy.engine import Row

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

    async def timeline(self, found: Row[Any]) -> Sequence[Any]:
        """Every fact that touched the claim, oldest first: its own, and its encounter's that name no other claim."""
        query = (
            select(facts.c.event_id, facts.c.type, facts.c.source, facts.c.at, facts.c.data)
            .where(self.mine(found.tenant_id, facts))
            .where(
                or_(
                    facts.c.claim_id == found.claim_id,
                    and_(facts.c.encounter_id == found.encounter_id, facts.c.claim_id.is_(None)),
                )
            )
            .order_by(facts.c.at, facts.c.event_id)
        )
        return (await self.session.execute(query)).all()
