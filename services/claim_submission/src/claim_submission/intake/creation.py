"""A new claim version, scrubbed and stored: from a coded encounter, a correction, a void, a later payer (COB) or
an answer that bills a held claim anew."""

from datetime import date
from uuid import UUID

from claimstream_platform.contracts import Reason
from claimstream_platform.db import UnitOfWork

from claim_submission.domain.claim import Claim
from claim_submission.domain.content import Captured, ClaimContent, duplicate_key
from claim_submission.domain.states import AT_PAYER, OPEN, awaiting_number
from claim_submission.handlers import publish, store
from claim_submission.repository import authorizations as approvals
from claim_submission.repository import claims as repository
from claim_submission.repository import coverage
from claim_submission.repository import learned as learned_rules
from claim_submission.scrubbing.authorization_rule import attached
from claim_submission.scrubbing.coverage_rule import coverage_key, inactive_reason, plan_key, routed
from claim_submission.scrubbing.scrub import scrub
from claim_submission.scrubbing.visit_count import earlier_visits


async def billed_content(uow: UnitOfWork, tenant_id: UUID, practice_id: UUID | None,
                         content: ClaimContent) -> ClaimContent:  # fmt: skip
    """The content to bill: to the administrator when the plan's mental-health benefits are carved out, with the
    number of an approved authorization that covers it (REF*G1)."""
    key = plan_key(tenant_id, practice_id, content)
    if key is None:
        return content
    administrator = (await coverage.administrators(uow, [key])).get(key)
    content = routed(content, administrator) if administrator else content
    billed = plan_key(tenant_id, practice_id, content)
    return attached(content, (await approvals.known(uow, [billed])).get(billed, [])) if billed else content


async def create_claim(
    uow: UnitOfWork, origin: Captured | Claim, content: ClaimContent, *, previous: Claim | None, today: date,
    frequency: str = "", note: str | None = None, supersedes: Claim | None = None,
) -> Claim:  # fmt: skip
    """A new claim version of `origin`'s encounter: a replacement of `previous` when the payer may have it, else
    an original (and `previous`, when still open here, is replaced: the original supersedes it)."""
    replaces = previous if previous is not None and previous.status in AT_PAYER else None
    if replaces is None:  # an original (a later payer's too) goes to a carve-out's administrator; a correction
        content = await billed_content(uow, origin.tenant_id, origin.practice_id, content)  # to its payer
    if previous is not None and replaces is None and previous.status in OPEN:
        previous.replace(by="a corrected encounter")
        await store(uow, [previous])
        supersedes = previous
    frequency = frequency or ("7" if replaces is not None else "1")
    version = origin.version if isinstance(origin, Captured) else origin.encounter_version
    reasons = await _scrubbed(uow, origin, content, replaces, today)
    claim = Claim.new(
        origin.tenant_id,
        origin.practice_id,
        origin.encounter_id,
        version,
        content,
        reasons,
        replaces=replaces,
        frequency=frequency,
        note=note,
        supersedes=supersedes,
    )
    await repository.insert_new(uow, [claim], [duplicate_key(content)])
    publish(uow, [claim])
    return claim


async def _scrubbed(
    uow: UnitOfWork, origin: Captured | Claim, content: ClaimContent, replaces: Claim | None, today: date
) -> list[Reason]:
    """What holds a new claim version: the scrub (duplicates, learned rules, visit counts), coverage the payer
    called inactive, and for a correction the payer's number it still waits for."""
    exclude = replaces.id if replaces else None
    key = duplicate_key(content)
    duplicate = await repository.has_duplicate(uow, origin.tenant_id, origin.encounter_id, key, exclude=exclude)
    learned = (await learned_rules.rules_of(uow, [origin.tenant_id])).get(origin.tenant_id, ())
    [visits] = await earlier_visits(uow, [(origin.tenant_id, origin.practice_id, origin.encounter_id, content)])
    reasons = scrub(content, today=today, duplicate=duplicate, learned=learned, visits_this_year=visits)
    coverage_of = coverage_key(origin.tenant_id, origin.practice_id, content)
    if coverage_of is not None and await coverage.inactive(uow, [coverage_of]):
        reasons.append(inactive_reason())
    if replaces is not None and not replaces.payer_claim_number:
        reasons.append(awaiting_number("the corrected claim waits for the payer's number of the claim it replaces"))
    return reasons
