"""Prior authorization's answers about a visit that came before the visit's claim (`uow.early_answers`): kept per
encounter version and payer as the hold reason each gives, and taken by the claim when it is created. Both sides
take the patient's plan lock first (`uow.claims.hold_plans`), so whichever comes second sees the first."""

from collections import defaultdict
from collections.abc import Iterable

from claimstream_platform.contracts import Reason
from claimstream_platform.db import Repository
from claimstream_platform.many_rows import rows_in
from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert

from claim_submission.scrubbing.authorization_rule import VisitKey
from claim_submission.tables import early_answers

e = early_answers.c


class EarlyAnswers(Repository):
    table = early_answers

    async def keep(self, key: VisitKey, reason: Reason) -> None:
        """One per visit and rule: a redelivered answer changes nothing."""
        tenant_id, encounter_id, version, payer_id = key
        row = {
            "tenant_id": tenant_id,
            "encounter_id": encounter_id,
            "version": version,
            "payer_id": payer_id[:80],
            "rule": reason.rule,
            "reason": reason.model_dump(mode="json"),
        }
        await self.session.execute(insert(early_answers).values(row).on_conflict_do_nothing())

    async def take(self, keys: Iterable[VisitKey]) -> dict[VisitKey, list[Reason]]:
        """The answers kept for these visits, removed (the claims created now carry them), oldest first."""
        wanted = list({(t, encounter, version, payer[:80]) for t, encounter, version, payer in keys})
        if not wanted:
            return {}
        visit = (e.tenant_id, e.encounter_id, e.version, e.payer_id)
        taken = delete(early_answers).where(rows_in(visit, wanted)).returning(*early_answers.c)
        found: dict[VisitKey, list[Reason]] = defaultdict(list)
        for row in sorted(await self.session.execute(taken), key=lambda r: (r.received_at, r.rule)):
            found[(row.tenant_id, row.encounter_id, row.version, row.payer_id)].append(Reason(**row.reason))
        return found
