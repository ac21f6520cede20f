"""A held or rejected claim released by billing staff: scrubbed again, ready when nothing is left but findings
they acknowledge on purpose."""

from datetime import date

from claimstream_platform.contracts import Reason
from claimstream_platform.db import UnitOfWork
from claimstream_platform.errors import RuleViolation

from claim_submission.domain.claim import Claim
from claim_submission.domain.content import duplicate_key
from claim_submission.handlers import store
from claim_submission.repository import claims as repository
from claim_submission.repository import learned as learned_rules
from claim_submission.scrubbing.scrub import scrub
from claim_submission.scrubbing.visit_count import earlier_visits


async def release(uow: UnitOfWork, claim: Claim, *, acknowledged: list[str], today: date) -> list[Reason]:
    """Scrub again; send when nothing is left but reasons the caller acknowledges. Returns what still holds it."""
    key = duplicate_key(claim.content)
    duplicate = await repository.has_duplicate(uow, claim.tenant_id, claim.encounter_id, key, exclude=claim.id)
    learned = (await learned_rules.rules_of(uow, [claim.tenant_id])).get(claim.tenant_id, ())
    [visits] = await earlier_visits(uow, [(claim.tenant_id, claim.practice_id, claim.encounter_id, claim.content)])
    found = scrub(claim.content, today=today, duplicate=duplicate, learned=learned, visits_this_year=visits)
    remaining = claim.release(found, acknowledged)
    await store(uow, [claim])
    return remaining


def require_releasable(remaining: list[Reason]) -> None:
    if remaining:
        raise RuleViolation("; ".join(f"{r.rule}: {r.message}" for r in remaining), field="acknowledge")
