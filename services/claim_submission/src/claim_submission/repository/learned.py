"""Scrub rules learned from denial patterns, as claim submission keeps them: `uow.learned`."""

from collections import defaultdict
from collections.abc import Iterable
from typing import Any
from uuid import UUID

from claimstream_platform.db import Repository
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from claim_submission.scrubbing.learned import LearnedRule
from claim_submission.tables import learned_rules


class LearnedRules(Repository):
    table = learned_rules

    async def remember(self, row: dict[str, Any]) -> None:
        """A redelivered acceptance changes nothing."""
        await self.session.execute(insert(learned_rules).values(row).on_conflict_do_nothing())

    async def rules_of(self, tenant_ids: Iterable[UUID]) -> dict[UUID, list[LearnedRule]]:
        """The tenants' learned rules, in one query for a run of claims."""
        wanted = list(set(tenant_ids))
        found: dict[UUID, list[LearnedRule]] = defaultdict(list)
        if not wanted:
            return found
        for row in await self.session.execute(select(learned_rules).where(learned_rules.c.tenant_id.in_(wanted))):
            found[row.tenant_id].append(LearnedRule(row.rule_id, row.payer_id, row.code, row.condition, row.message))
        return found
