"""New claim versions, through one path for any number of them (a single claim is a run of one): from coded
encounters, a correction or a void, a later payer's claim (COB), or a held claim billed anew when an answer
arrives. Each is billed (an original to a carve-out's administrator, with a covering authorization's number),
scrubbed, stored and announced in the caller's transaction."""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any
from uuid import UUID

from claimstream_platform.contracts import Reason
from claimstream_platform.dates import business_date
from claimstream_platform.messaging.consumer import Delivery, caused_by

from claim_submission.domain.claim import Claim
from claim_submission.domain.content import Captured, ClaimContent, duplicate_key
from claim_submission.domain.states import AT_PAYER, OPEN, awaiting_number
from claim_submission.handlers import publish, store
from claim_submission.repository import ClaimWork
from claim_submission.scrubbing.authorization_rule import VisitKey, attached
from claim_submission.scrubbing.coverage_rule import coverage_key, inactive_reason, plan_key, routed
from claim_submission.scrubbing.run import ToScrub, scrub_run


@dataclass(frozen=True)
class NewClaim:
    """A claim version to create: its encounter, what it bills, and the claim it follows. `previous` is replaced
    (frequency 7, or 8 for a void) when the payer may have it; otherwise the new one is an original, and
    `previous`, when still open here, is superseded by it."""

    tenant_id: UUID
    practice_id: UUID | None
    encounter_id: UUID
    version: int
    content: ClaimContent
    previous: Claim | None = None
    frequency: str = ""  # "": 7 for a replacement, else 1
    note: str | None = None  # NTE*ADD: why a correction or void is sent
    supersedes: Claim | None = None  # the claim a new original takes the place of
    cause: Delivery | None = None  # the delivery its events are caused by, in a batch

    @classmethod
    def of(cls, origin: Captured | Claim, content: ClaimContent, **options: Any) -> "NewClaim":
        """A new version of `origin`'s encounter (a coded encounter, or a claim corrected or billed anew)."""
        version = origin.version if isinstance(origin, Captured) else origin.encounter_version
        ids = (origin.tenant_id, origin.practice_id, origin.encounter_id, version)
        return cls(*ids, content, **options)

    @property
    def replaces(self) -> Claim | None:
        previous = self.previous
        return previous if previous is not None and previous.status in AT_PAYER else None


async def create_claims(uow: ClaimWork, run: Sequence[NewClaim]) -> list[Claim]:
    """Create the run's claims, as if one by one: a few statements for any number of them. Each is scrubbed on
    its own practice's business date (a run may hold practices in several time zones)."""
    if not run:
        return []
    # The billing office's lock first, before any claim row is locked here, in the order its answers take them:
    # shared, as every run of claims created reads the practice's word and none changes it.
    await uow.readiness.share((i.tenant_id, i.practice_id, i.content.payer.payer_id[:80]) for i in run if i.practice_id)
    run = await _supersede(uow, run)
    run = await billed(uow, run)
    reasons = await _findings(uow, run)
    new = [_claim(item, found) for item, found in zip(run, reasons, strict=True)]
    await uow.claims.insert_new(new, [duplicate_key(item.content) for item in run])
    for item, claim in zip(run, new, strict=True):
        with caused_by(item.cause):
            publish(uow, [claim])
    return new


def _claim(item: NewClaim, reasons: list[Reason]) -> Claim:
    replaces = item.replaces
    return Claim.new(
        item.tenant_id,
        item.practice_id,
        item.encounter_id,
        item.version,
        item.content,
        reasons,
        replaces=replaces,
        frequency=item.frequency or ("7" if replaces is not None else "1"),
        note=item.note,
        supersedes=item.supersedes,
    )


async def _supersede(uow: ClaimWork, run: Sequence[NewClaim]) -> list[NewClaim]:
    """A previous version the payer never had, still open here, is replaced by the new original."""
    superseded = [
        item.previous
        for item in run
        if item.previous is not None and item.replaces is None and item.previous.status in OPEN
    ]
    for previous in superseded:
        previous.replace(by="a corrected encounter")
    await store(uow, superseded)
    return [replace(item, supersedes=item.previous) if item.previous in superseded else item for item in run]


async def billed(uow: ClaimWork, run: Sequence[NewClaim]) -> list[NewClaim]:
    """An original (a later payer's too) is billed to the administrator when its plan's mental-health benefits are
    carved out, with the number of an approved authorization that covers it (REF*G1); a correction goes to the
    payer that has the claim, as it is. Two queries for the run, each under the locks of the plans it asks about
    (`uow.claims.hold_plans`): an answer about them applied at once waits, or is waited for, and sees the claim."""
    originals = [item for item in run if item.replaces is None]
    plans = [plan_key(i.tenant_id, i.practice_id, i.content) for i in originals]
    await uow.claims.hold_plans(key for key in plans if key is not None)
    carved = await uow.carve_outs.administrators(key for key in plans if key is not None)
    routes = [routed(i.content, carved[k]) if k in carved else i.content for i, k in zip(originals, plans, strict=True)]
    billed = [plan_key(i.tenant_id, i.practice_id, c) for i, c in zip(originals, routes, strict=True)]
    await uow.claims.hold_plans(key for key in billed if key is not None and key not in plans)  # administrators'
    approved = await uow.approvals.of_patients(key for key in billed if key is not None)
    contents = iter(attached(c, approved.get(k, [])) if k else c for c, k in zip(routes, billed, strict=True))
    return [replace(item, content=next(contents)) if item.replaces is None else item for item in run]


async def _findings(uow: ClaimWork, run: Sequence[NewClaim]) -> list[list[Reason]]:
    """What holds each new claim version: the scrub (duplicates, learned rules, visit counts), coverage the payer
    called inactive, what prior authorization said of its visit before it existed, and for a correction the payer's
    number it still waits for."""
    exclude = [item.replaces.id if item.replaces else None for item in run]
    scrubbed = [
        ToScrub(i.tenant_id, i.practice_id, i.encounter_id, i.content, business_date(i.content.time_zone), x)
        for i, x in zip(run, exclude, strict=True)
    ]
    reasons = await scrub_run(uow, scrubbed)
    covered = [coverage_key(item.tenant_id, item.practice_id, item.content) for item in run]
    uncovered = await uow.coverage.inactive(key for key in covered if key is not None)
    early = await _answered_early(uow, run)
    for item, found, key, answers in zip(run, reasons, covered, early, strict=True):
        if key is not None and key in uncovered:
            found.append(inactive_reason())
        found.extend(answers)
        if item.replaces is not None and not item.replaces.payer_claim_number:
            found.append(awaiting_number("the corrected claim waits for the payer's number of the claim it replaces"))
    return reasons


async def _answered_early(uow: ClaimWork, run: Sequence[NewClaim]) -> list[list[Reason]]:
    """The hold reasons prior authorization gave each new claim's visit before the claim existed (kept by
    `authorization_answers`), taken under the plans' locks: an answer applied at once waits, or is waited for. A
    void (frequency 8) takes none: it withdraws a claim the payer has."""
    plans = [plan_key(i.tenant_id, i.practice_id, i.content) for i in run]
    await uow.claims.hold_plans(key for key in plans if key is not None)
    visits: list[VisitKey | None] = [
        None if i.frequency == "8" else (i.tenant_id, i.encounter_id, i.version, i.content.payer.payer_id) for i in run
    ]
    kept = await uow.early_answers.take(key for key in visits if key is not None)
    return [kept.get(key, []) if key is not None else [] for key in visits]
