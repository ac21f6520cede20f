"""Claims from a run of coded encounters, in a few statements: the consumer's batch handler for ChargeCaptured.

The common case, an encounter billed for the first time, is created with the others of the run: one query for
which encounters already have claims, one for open claims that would be duplicates, one multi-row insert each
for the claims and their history. Anything else (a corrected encounter, one seen twice in the run, a replay)
takes the one-event path (`handlers.capture`), in the run's order, so the outcome is the same as applying the
events one by one.
"""

from collections.abc import Sequence
from uuid import UUID

from claimstream_platform.contracts.charge_capture import ChargeCaptured
from claimstream_platform.db import UnitOfWork
from claimstream_platform.messaging.consumer import Delivery, caused_by

from claim_submission import handlers
from claim_submission.domain.claim import Claim
from claim_submission.domain.content import Captured, ClaimContent, content_of, duplicate_key
from claim_submission.domain.states import OPEN
from claim_submission.intake import creation
from claim_submission.repository import authorizations as approvals
from claim_submission.repository import claims as repository
from claim_submission.repository import coverage
from claim_submission.repository import learned as learned_rules
from claim_submission.scrubbing.authorization_rule import attached
from claim_submission.scrubbing.coverage_rule import coverage_key, inactive_reason, plan_key, routed
from claim_submission.scrubbing.scrub import scrub
from claim_submission.scrubbing.visit_count import earlier_visits


async def on_charges_captured(deliveries: Sequence[Delivery], uow: UnitOfWork) -> None:
    run = [
        (delivery, content_of(delivery.event)) for delivery in deliveries if isinstance(delivery.event, ChargeCaptured)
    ]
    known = await repository.encounters_with_claims(uow, ((c.tenant_id, c.encounter_id) for _, c in run))
    first_time: list[tuple[Delivery, Captured]] = []
    seen: set[tuple[UUID, UUID]] = set()
    for delivery, captured in run:
        encounter = (captured.tenant_id, captured.encounter_id)
        if encounter in known or encounter in seen:
            await _create_first_claims(uow, first_time)  # what came before it, first
            first_time = []
            with caused_by(delivery):
                await capture(captured, uow)
        else:
            first_time.append((delivery, captured))
        seen.add(encounter)
    await _create_first_claims(uow, first_time)


async def _create_first_claims(uow: UnitOfWork, run: Sequence[tuple[Delivery, Captured]]) -> None:
    if not run:
        return
    today = handlers.today()
    learned = await learned_rules.rules_of(uow, (captured.tenant_id for _, captured in run))
    contents = await _billed(uow, [captured for _, captured in run])
    keys = [duplicate_key(content) for content in contents]
    taken = await repository.open_duplicate_keys(
        uow, ((c.tenant_id, key) for (_, c), key in zip(run, keys, strict=True))
    )
    covered = [coverage_key(c.tenant_id, c.practice_id, content) for (_, c), content in zip(run, contents, strict=True)]
    uncovered = await coverage.inactive(uow, (key for key in covered if key is not None))
    visits = await earlier_visits(uow, [(c.tenant_id, c.practice_id, c.encounter_id, content)
                                        for (_, c), content in zip(run, contents, strict=True)])  # fmt: skip
    new = []
    for (_, captured), content, key, coverage_of, seen in zip(run, contents, keys, covered, visits, strict=True):
        found = scrub(content, today=today, duplicate=(captured.tenant_id, key) in taken,
                      learned=learned.get(captured.tenant_id, ()), visits_this_year=seen)  # fmt: skip
        if coverage_of in uncovered:
            found.append(inactive_reason())
        taken.add((captured.tenant_id, key))  # a later encounter in the run with the same services is its duplicate
        new.append(Claim.new(captured.tenant_id, captured.practice_id, captured.encounter_id, captured.version,
                             content, found))  # fmt: skip
    await repository.insert_new(uow, new, keys)
    for (delivery, _), claim in zip(run, new, strict=True):
        with caused_by(delivery):
            handlers.publish(uow, [claim])


async def _billed(uow: UnitOfWork, run: Sequence[Captured]) -> list[ClaimContent]:
    """Each claim's content, to the administrator when its plan's mental-health benefits are carved out, with the
    number of an approved authorization that covers it (REF*G1): two queries for the run."""
    plans = [plan_key(c.tenant_id, c.practice_id, c.content) for c in run]
    carved = await coverage.administrators(uow, (key for key in plans if key is not None))
    contents = [routed(c.content, carved[k]) if k in carved else c.content for c, k in zip(run, plans, strict=True)]
    billed = [plan_key(c.tenant_id, c.practice_id, content) for c, content in zip(run, contents, strict=True)]
    known = await approvals.known(uow, (key for key in billed if key is not None))
    return [attached(content, known.get(k, [])) if k else content for content, k in zip(contents, billed, strict=True)]


async def on_charge_captured(event: ChargeCaptured, uow: UnitOfWork) -> None:
    await capture(content_of(event), uow)


async def capture(captured: Captured, uow: UnitOfWork) -> None:
    """A coded encounter (or a corrected version of one) becomes a claim."""
    earlier = await repository.lock_of_encounter(uow, captured.tenant_id, captured.encounter_id)
    if any(claim.encounter_version == captured.version for claim in earlier):
        return  # replayed after a crash before the inbox row: already done
    content = await creation.billed_content(uow, captured.tenant_id, captured.practice_id, captured.content)
    payer_id = content.payer.payer_id  # a later payer's claims (COB) are not the ones it corrects
    previous = next((claim for claim in earlier if claim.status in OPEN and claim.payer_id == payer_id), None)
    await creation.create_claim(uow, captured, content, previous=previous, today=handlers.today())
