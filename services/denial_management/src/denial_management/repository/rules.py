"""Scrub rules learned from denial patterns (`uow.rules`): the evidence counted from cases, suggestions stored,
staff's decisions. The tenant filter is written once per table (`mine` for suggestions, `_cases_of` for the cases
counted as evidence)."""

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from claimstream_platform.auth import Principal
from claimstream_platform.db import Repository
from claimstream_platform.locks import hold_names
from claimstream_platform.paging import OrderedPageRequest, ordered_page
from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Row

from denial_management.prevention import Pattern, RuleSuggestion, Suggestion
from denial_management.tables import cases, rule_suggestions


class RuleSuggestions(Repository):
    table = rule_suggestions

    async def evidence(self, tenant_id: UUID, pattern: Pattern, since: date) -> tuple[int, Decimal]:
        """How many claims the pattern struck since `since`, and the money denied. Until this transaction ends, it
        alone counts the pattern. One remittance denies several claims alike, and each denial comes on its claim's
        partition, so several transactions count at once: each would miss the others' cases, none reach the count,
        and nothing is suggested. The later waits here for the earlier to commit, then counts its case."""
        await hold_names(
            self.uow, [f"denial-management:pattern:{tenant_id}:{pattern.payer_id}:{pattern.code}:{pattern.carc}"]
        )
        query = select(func.count(func.distinct(cases.c.claim_id)), func.coalesce(func.sum(cases.c.amount), 0)).where(
            self.mine(tenant_id, cases),
            cases.c.kind == "denial",
            cases.c.payer_id == pattern.payer_id,
            cases.c.procedure_code == pattern.code,
            cases.c.codes[0].astext == pattern.carc,
            cases.c.denied_on >= since,
        )
        claims, amount = (await self.session.execute(query)).one()
        return int(claims), Decimal(amount)

    async def suggest(self, tenant_id: UUID, found: Suggestion) -> None:
        """A new suggestion, or fresher evidence for one not decided yet."""
        statement = insert(rule_suggestions).values(_row(tenant_id, found))
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=["tenant_id", "payer_id", "procedure_code", "carc"],
                set_={
                    "claims": statement.excluded.claims,
                    "amount": statement.excluded.amount,
                    "message": statement.excluded.message,
                    "updated_at": datetime.now(UTC),
                },
                where=rule_suggestions.c.status == "suggested",
            )
        )

    async def listed(
        self, principal: Principal, status: str | None, page: OrderedPageRequest
    ) -> tuple[list[Row[Any]], str | None]:
        """A page of the tenant's suggestions, the most money first."""
        query = select(rule_suggestions).where(self.mine(principal.tenant_id))
        if status is not None:
            query = query.where(rule_suggestions.c.status == status)
        order = [rule_suggestions.c.amount, rule_suggestions.c.id]
        return await ordered_page(self.session, query, order, limit=page.limit, cursor=page.cursor, newest_first=True)

    async def one(self, principal: Principal, suggestion_id: UUID) -> Row[Any] | None:
        query = select(rule_suggestions).where(self.mine(principal.tenant_id), rule_suggestions.c.id == suggestion_id)
        found: Row[Any] | None = (await self.session.execute(query)).one_or_none()
        return found

    async def lock(self, principal: Principal, suggestion_id: UUID) -> RuleSuggestion | None:
        query = select(rule_suggestions).where(self.mine(principal.tenant_id), rule_suggestions.c.id == suggestion_id)
        r = (await self.session.execute(query.with_for_update())).one_or_none()
        if r is None:
            return None
        fields = (r.payer_id, r.procedure_code, r.condition, r.category, r.message, r.claims, r.amount, r.status)
        return RuleSuggestion(r.id, r.tenant_id, *fields)

    async def decide(self, suggestion_id: UUID, status: str, by: str) -> None:
        await self.session.execute(
            update(rule_suggestions)
            .where(rule_suggestions.c.id == suggestion_id)
            .values(status=status, decided_by=by[:200], updated_at=datetime.now(UTC))
        )


def _row(tenant_id: UUID, found: Suggestion) -> dict[str, Any]:
    p = found.pattern
    return {
        "id": uuid4(),
        "tenant_id": tenant_id,
        "payer_id": p.payer_id[:80],
        "procedure_code": p.code[:5],
        "carc": p.carc[:10],
        "category": p.category,
        "condition": found.condition,
        "message": found.message,
        "claims": found.claims,
        "amount": found.amount,
        "status": "suggested",
    }
