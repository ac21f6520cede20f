"""The scrub of a run of claim versions against what is stored: duplicates (of open claims and of earlier ones in
the run), the tenants' learned rules and the patients' visits, read once for the run; then each claim's findings
(`scrub.scrub`)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from claimstream_platform.contracts import Reason

from claim_submission.domain.content import ClaimContent, duplicate_key
from claim_submission.repository import ClaimWork
from claim_submission.scrubbing.scrub import scrub
from claim_submission.scrubbing.visit_count import earlier_visits


@dataclass(frozen=True)
class ToScrub:
    tenant_id: UUID
    practice_id: UUID | None
    encounter_id: UUID
    content: ClaimContent
    exclude: UUID | None = None  # the claim it replaces (or is): not its own duplicate


async def scrub_run(uow: ClaimWork, run: Sequence[ToScrub], *, today: date) -> list[list[Reason]]:
    """Each claim's findings, as if the run's claims were scrubbed and stored one by one."""
    duplicate = await _duplicates(uow, run)
    learned = await uow.learned.rules_of(item.tenant_id for item in run)
    visits = await earlier_visits(uow, [(i.tenant_id, i.practice_id, i.encounter_id, i.content) for i in run])
    return [
        scrub(
            item.content,
            today=today,
            duplicate=twin,
            learned=learned.get(item.tenant_id, ()),
            visits_this_year=seen,
        )
        for item, twin, seen in zip(run, duplicate, visits, strict=True)
    ]


async def _duplicates(uow: ClaimWork, run: Sequence[ToScrub]) -> list[bool]:
    """Whether an open claim of another encounter has the same duplicate key: a stored one, or one earlier in the
    run (a later encounter in the run with the same services is the earlier one's duplicate)."""
    keys = [(item.tenant_id, duplicate_key(item.content)) for item in run]
    stored = await uow.claims.open_duplicates(keys)
    in_run: dict[tuple[UUID, str], list[UUID]] = {}
    found = []
    for item, key in zip(run, keys, strict=True):
        others = [encounter for encounter, claim_id in stored.get(key, []) if claim_id != item.exclude]
        others += in_run.get(key, [])
        found.append(any(encounter != item.encounter_id for encounter in others))
        in_run.setdefault(key, []).append(item.encounter_id)
    return found
