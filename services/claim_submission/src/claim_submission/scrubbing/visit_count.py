"""The visits a payer's authorization rule counts (`scrub.PayerRules.counts_visits`): for each claim, the patient's
other visits with its payer in the calendar year, up to its date of service. Read once for a run of claims; the
run's own visits count for the ones after them. Claims whose rules count nothing get 0 and cost no query. The rules
are the payer's facts with the claim's practice's own overrides (one layer list per visit, as `run` reads them)."""

from collections.abc import Sequence
from datetime import date
from uuid import UUID

from claimstream_platform.payers import Layer

from claim_submission.domain.content import ClaimContent
from claim_submission.repository import ClaimWork
from claim_submission.scrubbing.coverage_rule import PlanKey, plan_key
from claim_submission.scrubbing.payer_rules import rules_for

Visit = tuple[UUID, UUID | None, UUID, ClaimContent]  # tenant, practice, encounter, what is billed


def _counted(visit: Visit, overrides: Sequence[Layer]) -> PlanKey | None:
    tenant_id, practice_id, _, content = visit
    rules = rules_for(content.payer.payer_id, content.payer.kind, content.service_date, overrides)
    if content.prior_authorization_number or not rules.counts_visits(content):
        return None
    return plan_key(tenant_id, practice_id, content)


async def earlier_visits(uow: ClaimWork, run: Sequence[Visit], overrides: Sequence[Sequence[Layer]]) -> list[int]:
    keys = [_counted(visit, own) for visit, own in zip(run, overrides, strict=True)]
    wanted = [(key, visit[3].service_date) for key, visit in zip(keys, run, strict=True) if key is not None]
    if not wanted:
        return [0] * len(run)
    seen = await uow.visits.dates_since((key for key, _ in wanted), min(date(day.year, 1, 1) for _, day in wanted))
    counts = []
    for key, (_, _, encounter_id, content) in zip(keys, run, strict=True):
        if key is None:
            counts.append(0)
            continue
        day, dates = content.service_date, seen.setdefault(key, {})
        counts.append(
            sum(1 for other, on in dates.items() if other != encounter_id and on.year == day.year and on <= day)
        )
        dates[encounter_id] = day
    return counts
