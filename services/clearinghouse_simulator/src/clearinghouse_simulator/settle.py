"""An adjudication cycle against the database: load what is pending, run the pure cycle, store the outcome;
and the worker's loop that runs one every few seconds."""

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from claimstream_platform.loops import PeriodicLoop
from claimstream_platform.x12.p837 import Claim
from sqlalchemy import bindparam, delete, insert, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from clearinghouse_simulator.adjudication import Member
from clearinghouse_simulator.cycle import (
    Balance,
    CycleOutcome,
    MemberKey,
    PayeeKey,
    Pending,
    Prior,
    adjudication_from_json,
    adjudication_to_json,
    run_cycle,
)
from clearinghouse_simulator.payers import PayerBook
from clearinghouse_simulator.tables import claims, control_numbers, documents, forward_balances, members, submissions

REPROCESS_CANDIDATES = 20
log = logging.getLogger(__name__)


class CycleLoop(PeriodicLoop):
    """Adjudicate every `interval` seconds until stopped (the database may be restarting: the next tick retries)."""

    name = "clearinghouse-simulator.cycle"

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], book: PayerBook, *, seed: int,
                 interval: float) -> None:  # fmt: skip
        super().__init__(sessionmaker, interval)
        self._book, self._seed = book, seed

    async def run_once(self) -> None:
        async with self._sessionmaker() as session:
            summary = await settle(session, self._book, seed=self._seed)
            await session.commit()
        if summary.claims:
            log.info("cycle", extra={"claims": summary.claims, "remittances": summary.remittances})


@dataclass
class CycleSummary:
    claims: int
    remittances: int


async def settle(session: AsyncSession, book: PayerBook, *, seed: int, limit: int = 5000) -> CycleSummary:
    """Adjudicate up to `limit` accepted claims (rows locked, so replicas never pay a claim twice)."""
    rows = (
        await session.execute(
            select(claims, submissions.c.sender_id)
            .join(submissions, submissions.c.id == claims.c.submission_id)
            .where(claims.c.status == "accepted")
            .order_by(claims.c.payer_claim_number)
            .limit(limit)
            .with_for_update(of=claims, skip_locked=True)
        )
    ).all()
    if not rows:
        return CycleSummary(0, 0)
    now = datetime.now(UTC)
    pending, member_rows = await _pending(session, rows, now.year)
    groups = {(p.submitter, p.claim.payer_id, p.claim.billing_npi) for p in pending}  # one 835 each
    controls = [str(await session.scalar(select(control_numbers.next_value()))) for _ in groups]
    outcome = run_cycle(
        pending,
        book=book,
        members=member_rows,
        reprocessable=await _reprocessable(session, groups),
        seed=seed,
        now=now,
        next_control=iter(controls).__next__,
        owed=await _owed(session, groups),
    )
    await _store(session, outcome, now)
    return CycleSummary(len(outcome.results), len(outcome.remittances))


async def _pending(
    session: AsyncSession, rows: Sequence[Any], year: int
) -> tuple[list[Pending], dict[MemberKey, Member]]:
    """The claims to adjudicate as the pure cycle takes them, and their members' benefits this year."""
    parsed = {row.id: Claim.model_validate(row.claim) for row in rows}
    originals = await _originals(session, rows, parsed)
    paid_keys = await _paid_keys(session, [row.duplicate_key for row in rows])
    member_rows = await _members(
        session, {(r.submitter, parsed[r.id].payer_id, parsed[r.id].member_id) for r in rows}, year
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
            duplicate=row.duplicate_key in paid_keys and row.id not in originals,
            original=originals.get(row.id),
        )
        for row in rows
    ]
    return pending, member_rows


async def _store(session: AsyncSession, outcome: CycleOutcome, now: datetime) -> None:
    """The cycle's outcome, a statement per kind of change (not one per claim)."""
    if outcome.results:
        await session.execute(
            update(claims)
            .where(claims.c.id == bindparam("claim_id"))
            .values(status="adjudicated", adjudication=bindparam("result"), paid=bindparam("amount"),
                    adjudicated_at=now),
            [{"claim_id": claim_id, "result": adjudication_to_json(result), "amount": result.paid}
             for claim_id, result in outcome.results.items()],
        )  # fmt: skip
    if outcome.reversed:
        await session.execute(update(claims).where(claims.c.id.in_(outcome.reversed)).values(status="reversed"))
    if outcome.members:
        await session.execute(
            update(members)
            .where(members.c.submitter == bindparam("s"), members.c.payer_id == bindparam("p"),
                   members.c.member_id == bindparam("m"))
            .values(deductible_met=bindparam("met"), visits_used=bindparam("visits"), benefit_year=now.year),
            [{"s": s, "p": p, "m": m, "met": member.deductible_met, "visits": member.visits_used}
             for (s, p, m), member in outcome.members.items()],
        )  # fmt: skip
    if outcome.remittances:
        await session.execute(
            documents.insert(),
            [{"submitter": r.submitter, "kind": "835", "content": r.content} for r in outcome.remittances],
        )
    await _store_balances(session, outcome.balances)


async def _owed(session: AsyncSession, groups: set[PayeeKey]) -> dict[PayeeKey, list[Balance]]:
    """The forward balances of the payees about to be paid, oldest reference first; locked with the claims."""
    key = tuple_(forward_balances.c.submitter, forward_balances.c.payer_id, forward_balances.c.payee_npi)
    rows = await session.execute(
        select(forward_balances).where(key.in_(list(groups))).order_by(forward_balances.c.reference).with_for_update()
    )
    owed: dict[PayeeKey, list[Balance]] = defaultdict(list)
    for row in rows:
        owed[(row.submitter, row.payer_id, row.payee_npi)].append(Balance(row.reference, row.amount))
    return owed


async def _store_balances(session: AsyncSession, balances: dict[PayeeKey, list[Balance]]) -> None:
    """Each paid payee's balances as the cycle left them: the ones taken back go, new ones come."""
    if not balances:
        return
    key = tuple_(forward_balances.c.submitter, forward_balances.c.payer_id, forward_balances.c.payee_npi)
    await session.execute(delete(forward_balances).where(key.in_(list(balances))))
    by_reference: dict[tuple[UUID, str, str, str], Decimal] = defaultdict(Decimal)
    for (submitter, payer_id, payee_npi), owed in balances.items():
        for balance in owed:  # one claim may be owed for twice (carried, then recovered): one row
            by_reference[(submitter, payer_id, payee_npi, balance.reference)] += balance.amount
    rows = [
        {"submitter": s, "payer_id": p, "payee_npi": n, "reference": r, "amount": amount}
        for (s, p, n, r), amount in by_reference.items()
    ]
    if rows:
        await session.execute(insert(forward_balances), rows)


async def _originals(session: AsyncSession, rows: Sequence[Any], parsed: dict[UUID, Claim]) -> dict[UUID, Prior]:
    """For replacement and void claims: the adjudicated claim each replaces (by the payer's claim number)."""
    wanted = {
        row.id: (row.submitter, parsed[row.id].original_reference)
        for row in rows
        if parsed[row.id].frequency in ("7", "8") and parsed[row.id].original_reference
    }
    if not wanted:
        return {}
    found = (
        await session.execute(
            select(claims).where(
                claims.c.payer_claim_number.in_([number for _, number in wanted.values()]),
                claims.c.status == "adjudicated",
            )
        )
    ).all()
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


async def _paid_keys(session: AsyncSession, keys: list[str]) -> set[str]:
    found = await session.scalars(
        select(claims.c.duplicate_key).where(
            claims.c.duplicate_key.in_(set(keys)), claims.c.status == "adjudicated", claims.c.paid > 0
        )
    )
    return set(found)


async def _members(session: AsyncSession, keys: set[MemberKey], year: int) -> dict[MemberKey, Member]:
    rows = (
        await session.execute(
            select(members)
            .where(tuple_(members.c.submitter, members.c.payer_id, members.c.member_id).in_(list(keys)))
            .with_for_update()
        )
    ).all()
    return {(row.submitter, row.payer_id, row.member_id): member_state(row, year) for row in rows}


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
    )


async def _reprocessable(
    session: AsyncSession, groups: set[tuple[UUID, str, str]]
) -> dict[tuple[UUID, str, str], list[Prior]]:
    result: dict[tuple[UUID, str, str], list[Prior]] = defaultdict(list)
    for submitter, payer_id, payee_npi in groups:
        rows = (
            await session.execute(
                select(claims)
                .where(
                    claims.c.submitter == submitter,
                    claims.c.payer_id == payer_id,
                    claims.c.status == "adjudicated",
                    claims.c.paid > 0,
                    claims.c.claim["billing_npi"].astext == payee_npi,
                )
                .order_by(claims.c.adjudicated_at.desc())
                .limit(REPROCESS_CANDIDATES)
            )
        ).all()
        result[(submitter, payer_id, payee_npi)] = [_prior(row) for row in rows]
    return result
