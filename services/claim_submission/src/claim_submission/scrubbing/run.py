"""The scrub of a run of claim versions against what is stored: duplicates (of open claims and of earlier ones in
the run), the tenants' learned rules, the practices' own payer facts, the patients' visits and the billing
office's word on the practices' enrollment and credentialing, read once for the run; then each claim's findings
(`scrub.scrub` and `readiness_rule`, pure)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from claimstream_platform.contracts import Reason
from claimstream_platform.payer_overrides import PracticePayer
from claimstream_platform.payers import Layer

from claim_submission.domain.content import ClaimContent, duplicate_key
from claim_submission.repository import ClaimWork
from claim_submission.scrubbing.readiness_rule import Readiness, readiness_reasons
from claim_submission.scrubbing.scrub import scrub
from claim_submission.scrubbing.visit_count import earlier_visits


@dataclass(frozen=True)
class ToScrub:
    tenant_id: UUID
    practice_id: UUID | None
    encounter_id: UUID
    content: ClaimContent
    today: date  # the claim's business date, on its practice's calendar
    exclude: UUID | None = None  # the claim it replaces (or is): not its own duplicate

    @property
    def practice_payer(self) -> PracticePayer | None:
        """Whose own payer facts apply: the claim's practice's, for the payer it is billed to."""
        if self.practice_id is None:
            return None
        return (self.tenant_id, self.practice_id, self.content.payer.payer_id)


async def scrub_run(uow: ClaimWork, run: Sequence[ToScrub]) -> list[list[Reason]]:
    """Each claim's findings, as if the run's claims were scrubbed and stored one by one."""
    duplicate = await _duplicates(uow, run)
    learned = await uow.learned.rules_of(item.tenant_id for item in run)
    overrides = await _overrides(uow, run)
    visits = await earlier_visits(
        uow, [(i.tenant_id, i.practice_id, i.encounter_id, i.content) for i in run], overrides
    )
    ready = await _readiness(uow, run)
    return [
        scrub(
            item.content,
            today=item.today,
            duplicate=twin,
            learned=learned.get(item.tenant_id, ()),
            visits_this_year=seen,
            overrides=layers,
        )
        + readiness_reasons(item.content, readiness)
        for item, twin, seen, layers, readiness in zip(run, duplicate, visits, overrides, ready, strict=True)
    ]


async def _readiness(uow: ClaimWork, run: Sequence[ToScrub]) -> list[Readiness]:
    """Each claim's practice's word from the billing office on its payer (under the practice and payer's lock, shared
    with other runs of claims: an announcement applied at once waits, or is waited for)."""
    keys = [(i.tenant_id, i.practice_id, i.content.payer.payer_id[:80]) if i.practice_id else None for i in run]
    wanted = [key for key in keys if key is not None]
    await uow.readiness.share(wanted)
    found = await uow.readiness.of(wanted)
    return [found[key] if key is not None else Readiness() for key in keys]


async def _overrides(uow: ClaimWork, run: Sequence[ToScrub]) -> list[tuple[Layer, ...]]:
    """Each claim's practice's own facts for its payer (docs/domain/payers.md): one query for the run."""
    keys = [item.practice_payer for item in run]
    found = await uow.payer_overrides.of(key for key in keys if key is not None)
    return [found.get(key, ()) if key is not None else () for key in keys]


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
