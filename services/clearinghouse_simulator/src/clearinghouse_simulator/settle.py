"""An adjudication cycle against the database: load what is pending, run the pure cycle, store the outcome;
and the worker's loop that runs one every few seconds."""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from claimstream_platform.db import SessionFactory
from claimstream_platform.loops import PeriodicLoop
from claimstream_platform.x12.p837 import Claim

from clearinghouse_simulator.cycle import MemberKey, PayeeKey, Pending, Prior, run_cycle
from clearinghouse_simulator.payers import PayerBook
from clearinghouse_simulator.repository import SimulatorWork
from clearinghouse_simulator.results import Member, adjudication_from_json

REPROCESS_CANDIDATES = 20
REVIEWS_PER_CYCLE = 50  # at most so many overpayments taken back in one cycle (the rest in the next ones)
log = logging.getLogger(__name__)


class CycleLoop(PeriodicLoop):
    """Adjudicate every `interval` seconds until stopped (the database may be restarting: the next tick retries)."""

    name = "clearinghouse-simulator.cycle"

    def __init__(
        self, sessionmaker: SessionFactory, book: PayerBook, *, seed: int, interval: float, bundle_835s: bool = False
    ) -> None:
        super().__init__(sessionmaker, interval)
        self._book, self._seed, self._bundle = book, seed, bundle_835s

    async def run_once(self) -> None:
        async with SimulatorWork(self._sessionmaker) as uow:
            summary = await settle(uow, self._book, seed=self._seed, bundle_835s=self._bundle)
            await uow.commit()
        if summary.claims:
            log.info("cycle", extra={"claims": summary.claims, "remittances": summary.remittances})


@dataclass
class CycleSummary:
    claims: int
    remittances: int


async def settle(
    uow: SimulatorWork, book: PayerBook, *, seed: int, limit: int = 5000, bundle_835s: bool = False
) -> CycleSummary:
    """Adjudicate up to `limit` accepted claims (rows locked, so replicas never pay a claim twice); with
    `bundle_835s` each submitter's 835s of the cycle go into its inbox as one file."""
    rows = await uow.cycle.accepted_locked(limit)
    if not rows:
        return CycleSummary(0, 0)
    now, day = datetime.now(UTC), await uow.cycle.next_day()
    pending, member_rows = await _pending(uow, rows, now.year)
    groups = {(p.submitter, p.claim.payer_id, p.claim.billing_npi) for p in pending}  # one 835 each
    controls = await uow.cycle.next_controls(2 * len(groups))  # a payee may get a PLB-only 835 too
    due = await uow.cycle.reviews_due(groups, day, REVIEWS_PER_CYCLE)
    outcome = run_cycle(
        pending,
        book=book,
        members=member_rows,
        reprocessable=await _reprocessable(uow, groups),
        seed=seed,
        now=now,
        next_control=iter(controls).__next__,
        owed=await uow.cycle.owed(groups),
        day=day,
        due={payee: [_prior(row) for row in found] for payee, found in due.items()},
    )
    await uow.cycle.store_outcome(outcome, now, bundle_835s=bundle_835s)
    return CycleSummary(len(outcome.results), len(outcome.remittances))


async def _pending(uow: SimulatorWork, rows: Sequence[Any], year: int) -> tuple[list[Pending], dict[MemberKey, Member]]:
    """The claims to adjudicate as the pure cycle takes them, and their members' benefits this year."""
    parsed = {row.id: Claim.model_validate(row.claim) for row in rows}
    originals = await _originals(uow, rows, parsed)
    paid_keys = await uow.cycle.paid_keys([(row.submitter, row.duplicate_key) for row in rows])
    member_rows = await _members(
        uow, {(r.submitter, parsed[r.id].payer_id, parsed[r.id].member_id) for r in rows}, year
    )
    pending = [
        Pending(
            claim_id=row.id,
            submitter=row.submitter,
            submitter_id=row.sender_id,
            claim=parsed[row.id],
            payer_claim_number=row.payer_claim_number,
            received=row.received_on,
            # A replacement matches the claim it replaces: that is not a duplicate.
            duplicate=(row.submitter, row.duplicate_key) in paid_keys and row.id not in originals,
            original=originals.get(row.id),
        )
        for row in rows
    ]
    return pending, member_rows


async def _originals(uow: SimulatorWork, rows: Sequence[Any], parsed: dict[UUID, Claim]) -> dict[UUID, Prior]:
    """For replacement and void claims: the adjudicated claim each replaces (by the payer's claim number)."""
    wanted = {
        row.id: (row.submitter, parsed[row.id].original_reference)
        for row in rows
        if parsed[row.id].frequency in ("7", "8") and parsed[row.id].original_reference
    }
    if not wanted:
        return {}
    found = await uow.cycle.adjudicated_by_number((number for _, number in wanted.values()))
    by_number = {(row.submitter, row.payer_claim_number): row for row in found}
    originals = {}
    for claim_id, key in wanted.items():
        row = by_number.get(key)
        if row is not None and row.adjudication:
            originals[claim_id] = _prior(row)
    return originals


def _prior(row: Any) -> Prior:
    return Prior(
        claim_id=row.id,
        claim=Claim.model_validate(row.claim),
        payer_claim_number=row.payer_claim_number,
        received=row.received_on,
        adjudication=adjudication_from_json(row.adjudication),
    )


async def _members(uow: SimulatorWork, keys: set[MemberKey], year: int) -> dict[MemberKey, Member]:
    return {key: member_state(row, year) for key, row in (await uow.cycle.members_locked(keys)).items()}


def member_state(row: Any, year: int) -> Member:
    """A roster row as the payer sees it in `year`: accumulators start again each benefit year."""
    new_year = row.benefit_year != year
    return Member(
        coverage_start=row.coverage_start,
        coverage_end=row.coverage_end,
        deductible=row.deductible,
        deductible_met=Decimal(0) if new_year else row.deductible_met,
        coinsurance=row.coinsurance,
        copay=row.copay,
        visits_used=0 if new_year else row.visits_used,
        remittance=row.remittance,
    )


async def _reprocessable(uow: SimulatorWork, groups: set[PayeeKey]) -> dict[PayeeKey, list[Prior]]:
    return {
        payee: [_prior(row) for row in await uow.cycle.paid_of_payee(payee, REPROCESS_CANDIDATES)] for payee in groups
    }
