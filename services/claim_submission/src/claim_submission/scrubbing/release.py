"""A held or rejected claim released by billing staff: scrubbed again, ready when nothing is left but findings
they acknowledge on purpose."""

from datetime import date

from claimstream_platform.contracts import Reason
from claimstream_platform.errors import RuleViolation

from claim_submission.domain.claim import Claim
from claim_submission.handlers import store
from claim_submission.repository import ClaimWork
from claim_submission.scrubbing.run import ToScrub, scrub_run


async def release(uow: ClaimWork, claim: Claim, *, acknowledged: list[str], today: date) -> list[Reason]:
    """Scrub again; send when nothing is left but reasons the caller acknowledges. Returns what still holds it."""
    again = ToScrub(
        claim.tenant_id, claim.practice_id, claim.encounter_id, claim.content, today=today, exclude=claim.id
    )
    [found] = await scrub_run(uow, [again])
    remaining = claim.release(found, acknowledged)
    await store(uow, [claim])
    return remaining


def require_releasable(remaining: list[Reason]) -> None:
    if remaining:
        raise RuleViolation("; ".join(f"{r.rule}: {r.message}" for r in remaining), field="acknowledge")
