"""Each patient's visits with each payer (`uow.visits`), as claim submission's own claims show them: an encounter
with a claim to the payer that still stands (not voided, not replaced) is one visit, however many claims or
versions it had."""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any
from uuid import UUID

from claimstream_platform.db import Repository
from claimstream_platform.locks import hold_names
from claimstream_platform.many_rows import rows_in
from sqlalchemy import Select, select

from claim_submission.domain.states import ClaimStatus
from claim_submission.repository.claims import plan_lock_names
from claim_submission.scrubbing.coverage_rule import PlanKey
from claim_submission.tables import claims

c = claims.c
GONE = [str(ClaimStatus.VOIDED), str(ClaimStatus.REPLACED)]


class Visits(Repository):
    table = claims

    async def dates_since(self, keys: Iterable[PlanKey], since: date) -> dict[PlanKey, dict[UUID, date]]:
        """Per patient and payer, the date of service of each visit on or after `since`. Until this transaction
        ends, it alone counts these patients' visits with these payers. A patient's charges come on different
        partitions, so two claims can be counted at once: each would miss the other, and the later visit could
        leave past the count unheld. The second waits here for the first to commit, then counts its claim."""
        wanted = list(set(keys))
        if not wanted:
            return {}
        await hold_names(self.uow, plan_lock_names(wanted))  # the plan's lock: its claims' creation holds it already
        found: dict[PlanKey, dict[UUID, date]] = defaultdict(dict)
        for r in await self.session.execute(visits_of(wanted, since)):
            found[(r.tenant_id, r.practice_id, r.patient_ref, r.payer_id)][r.encounter_id] = r.service_date
        return found


def visits_of(plans: list[PlanKey], since: date) -> Select[Any]:
    """The standing claims of these patients to these payers served on or after `since`. Found by the patient's
    column (`claims.patient_ref`, migration 0023), which a walled read can look up by index."""
    return select(c.tenant_id, c.practice_id, c.patient_ref, c.payer_id, c.encounter_id, c.service_date).where(
        rows_in((c.tenant_id, c.practice_id, c.patient_ref, c.payer_id), plans),
        c.service_date >= since,
        c.status.not_in(GONE),
    )
