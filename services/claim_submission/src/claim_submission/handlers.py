"""The claim's life, in the caller's transaction: created from charges, held or ready, corrected, voided,
released. Each handler reads claims (`repository.claims`), makes the aggregate's moves (`domain.Claim`),
stores them and publishes the events they recorded.

Corrections follow the payer's rules (docs/domain.md §5): a claim the payer never accepted is simply replaced
by a new original; a claim the payer accepted is corrected with frequency 7 (all lines) or voided with
frequency 8, both carrying the payer's claim number in REF*F8. When that number is not known yet (the 277CA is
still to come) the correction waits, held, and is released when the number arrives.
"""

from collections.abc import Iterable
from datetime import UTC, date, datetime
from uuid import UUID

from claimstream_platform.contracts import Reason
from claimstream_platform.contracts.charge_capture import ChargeCaptured, ChargeVoided
from claimstream_platform.contracts.denial_management import CorrectionRequested, ScrubRuleAccepted
from claimstream_platform.contracts.remittance_posting import PaymentPosted
from claimstream_platform.db import UnitOfWork
from claimstream_platform.errors import NotFound, RuleViolation

from claim_submission.authorization_rule import attached
from claim_submission.content import Captured, ClaimContent, content_of
from claim_submission.coordination import adjudication_of, from_the_billed_payer, next_payer
from claim_submission.corrections import apply_changes
from claim_submission.coverage_rule import coverage_key, inactive_reason, plan_key, routed
from claim_submission.domain import AT_PAYER, OPEN, TERMINAL, Claim, ClaimStatus, awaiting_number, duplicate_key
from claim_submission.repository import authorizations as approvals
from claim_submission.repository import claims as repository
from claim_submission.repository import coverage
from claim_submission.repository import learned as learned_rules
from claim_submission.scrub import scrub
from claim_submission.visit_count import earlier_visits


def publish(uow: UnitOfWork, claims: Iterable[Claim]) -> None:
    for claim in claims:
        for event in claim.take_events():
            uow.publish(event)


async def store(uow: UnitOfWork, claims: list[Claim]) -> None:
    """Store the claims' moves and publish what they recorded."""
    await repository.save(uow, claims)
    publish(uow, claims)


async def on_charge_captured(event: ChargeCaptured, uow: UnitOfWork) -> None:
    await capture(content_of(event), uow)


async def capture(captured: Captured, uow: UnitOfWork) -> None:
    """A coded encounter (or a corrected version of one) becomes a claim."""
    earlier = await repository.lock_of_encounter(uow, captured.tenant_id, captured.encounter_id)
    if any(claim.encounter_version == captured.version for claim in earlier):
        return  # replayed after a crash before the inbox row: already done
    content = await billed_content(uow, captured.tenant_id, captured.practice_id, captured.content)
    payer_id = content.payer.payer_id  # a later payer's claims (COB) are not the ones it corrects
    previous = next((claim for claim in earlier if claim.status in OPEN and claim.payer_id == payer_id), None)
    await create_claim(uow, captured, content, previous=previous, today=today())


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


async def on_charge_voided(event: ChargeVoided, uow: UnitOfWork) -> None:
    """Charges withdrawn: their claim is voided. For a correction ("corrected") a claim the payer may have waits
    for the corrected charges, which replace it; one that never left is voided now, since its charges no longer
    stand even if the corrected encounter is held for review. A later payer's claim (COB) is voided either way:
    it was billed from the primary's payment of charges that no longer stand, and the corrected claim's
    payment bills that payer anew."""
    current = await repository.lock_of_encounter(uow, event.tenant_id, event.encounter_id, open_only=True)
    for claim in current:
        if claim.encounter_version != event.version:
            continue
        primary = claim.content.responsibility == "primary"
        if primary and event.reason == "corrected" and claim.status in AT_PAYER:
            continue
        await void(uow, claim, reason=event.reason, today=today())


async def on_correction_requested(event: CorrectionRequested, uow: UnitOfWork) -> None:
    claim = await repository.lock(uow, event.tenant_id, event.claim_id)
    if claim is None or claim.status in TERMINAL:
        return  # nothing left to correct (already corrected by an earlier request)
    content = apply_changes(claim.content, event.changes)
    if event.prior_authorization_number:
        content = content.model_copy(update={"prior_authorization_number": event.prior_authorization_number})
    if event.resubmit_as == "new_original":  # the payer wants a new claim: it takes this one's place, and says so
        claim.replace(by="a new original", reason=event.reason)
        await store(uow, [claim])
        await create_claim(uow, claim, content, previous=None, today=today(), frequency="1", supersedes=claim)
    else:
        await create_claim(uow, claim, content, previous=claim, today=today(), note=event.reason[:80])


async def on_payment_posted(event: PaymentPosted, uow: UnitOfWork) -> None:
    """What the claim's payer did with it. Its claim control number (CLP07) is the latest one a correction's
    REF*F8 must carry (it changes when the payer reprocesses, and may differ from the 277CA's). When the
    patient has another coverage and still owes something, the next payer is billed (coordination.py)."""
    claim = await repository.lock(uow, event.tenant_id, event.claim_id)
    if claim is None or not from_the_billed_payer(claim.content, event):
        return  # a crossover payer's own 835 for the claim: its number and payment are not our payer's word
    number = event.payer_claim_number
    if number and event.outcome != "reversed" and claim.payer_claim_number != number:
        claim.renumbered(number)
        await store(uow, [claim])
    adjudication = adjudication_of(event, paid_on=today())
    following = next_payer(claim.content, event.outcome, adjudication, forwarded=event.forwarded)
    if following is None:
        return
    billed = await _billed_already(uow, claim, following.payer.payer_id)
    if billed is None:
        await create_claim(uow, claim, following, previous=None, today=today())
    elif (
        billed.status in OPEN
        and billed.frequency != "8"
        and _what_it_paid(billed, claim) != _what_it_paid(following, claim)
    ):
        # the payer reversed and paid again: the next payer's claim carries what it paid now (a replacement when
        # that payer has it, a new version when it is still ours); a redelivered payment changes nothing
        await create_claim(uow, billed, following, previous=billed, today=today(), note="the prior payer paid again")


async def _billed_already(uow: UnitOfWork, claim: Claim, payer_id: str) -> Claim | None:
    """The claim of this encounter version to that payer, the latest one (a redelivered payment bills it once)."""
    earlier = await repository.lock_of_encounter(uow, claim.tenant_id, claim.encounter_id)
    billed = [c for c in earlier if c.payer_id == payer_id and c.encounter_version == claim.encounter_version]
    return billed[0] if billed else None  # newest first


def _what_it_paid(later: Claim | ClaimContent, earlier: Claim) -> list[object]:
    """What a later payer's claim says the earlier payer did (its 2320/2430 amounts)."""
    content = later.content if isinstance(later, Claim) else later
    place = earlier.content.responsibility
    return [o.adjudication for o in content.other_payers if o.responsibility == place]


async def on_scrub_rule_accepted(event: ScrubRuleAccepted, uow: UnitOfWork) -> None:
    """A rule learned from denials, accepted by billing staff: the scrubber applies it to claims from now on."""
    await learned_rules.remember(uow, {
        "rule_id": event.rule_id, "tenant_id": event.tenant_id, "payer_id": event.payer_id[:80],
        "code": event.code[:5], "condition": event.condition, "category": event.category[:40],
        "message": event.message[:300],
    })  # fmt: skip


async def void(uow: UnitOfWork, claim: Claim, *, reason: str, today: date) -> None:
    """Void locally when the payer never had the claim; otherwise send a frequency 8 for it."""
    if claim.status not in AT_PAYER:
        if claim.status in OPEN or claim.status == ClaimStatus.REJECTED:
            claim.void(reason)
            await store(uow, [claim])
        return
    if await repository.void_on_its_way(uow, claim.id):
        return  # a retried void: the frequency-8 claim is already on its way
    await create_claim(uow, claim, claim.content, previous=claim, today=today, frequency="8",
                       note=f"void: {reason}"[:80])  # fmt: skip
    claim.announce_void(reason)
    publish(uow, [claim])


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


async def release_waiting_corrections(uow: UnitOfWork, numbered: dict[UUID, str]) -> None:
    """The payer numbered claims (id -> its number): corrections that waited for those numbers can go."""
    if not numbered:
        return
    waiting = await repository.lock_where(uow, statuses=[ClaimStatus.HELD], replacing=list(numbered))
    for claim in (c for c in waiting if c.frequency in ("7", "8")):  # a new original waits for no number
        claim.number_arrived(numbered[claim.replaces_claim_id])  # type: ignore[index]
    await store(uow, waiting)


async def locked_claim(uow: UnitOfWork, tenant_id: UUID, claim_id: UUID) -> Claim:
    claim = await repository.lock(uow, tenant_id, claim_id)
    if claim is None:
        raise NotFound("claim not found")
    return claim


def today() -> date:
    return datetime.now(UTC).date()


def require_releasable(remaining: list[Reason]) -> None:
    if remaining:
        raise RuleViolation("; ".join(f"{r.rule}: {r.message}" for r in remaining), field="acknowledge")
