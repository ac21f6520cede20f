"""What an adjudication cycle reads and writes (`uow.cycle`): accepted claims (locked), members, forward balances,
earlier adjudications; the outcome stored in a statement per kind of change (not one per claim). No tenant filter:
a cycle is the payers' day, over every submitter's claims at once; what it reads for one submitter it names by
its keys (submitter and member, payee)."""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from claimstream_platform.dates import business_date
from claimstream_platform.db import Repository
from claimstream_platform.x12.p837 import Claim
from sqlalchemy import bindparam, delete, insert, select, tuple_, update

from clearinghouse_simulator.cycle import CycleOutcome, MemberKey, PayeeKey, duplicate_key
from clearinghouse_simulator.frontend import ACCEPTED
from clearinghouse_simulator.plb import Balance
from clearinghouse_simulator.results import adjudication_to_json
from clearinghouse_simulator.tables import (
    claims,
    control_numbers,
    cycle_days,
    documents,
    forward_balances,
    members,
    payer_claim_numbers,
    submissions,
)


class Cycle(Repository):
    table = claims

    async def accepted_locked(self, limit: int) -> list[Any]:
        """Accepted claims with their sender, locked (skipping those another replica holds)."""
        query = (
            select(claims, submissions.c.sender_id)
            .join(submissions, submissions.c.id == claims.c.submission_id)
            .where(claims.c.status == "accepted")
            .order_by(claims.c.payer_claim_number)
            .limit(limit)
            .with_for_update(of=claims, skip_locked=True)
        )
        return list((await self.session.execute(query)).all())

    async def next_controls(self, count: int) -> list[str]:
        return [str(await self.session.scalar(select(control_numbers.next_value()))) for _ in range(count)]

    async def next_day(self) -> int:
        """The number of the payers' business day this cycle is."""
        return int(await self.session.scalar(select(cycle_days.next_value())) or 0)

    async def adjudicated_by_number(self, numbers: Iterable[str]) -> list[Any]:
        query = select(claims).where(claims.c.payer_claim_number.in_(list(numbers)), claims.c.status == "adjudicated")
        return list((await self.session.execute(query)).all())

    async def paid_keys(self, keys: Iterable[tuple[UUID, str]]) -> set[tuple[UUID, str]]:
        """Of (submitter, duplicate key) pairs, those of claims already paid: a submitter's claims are duplicates of its
        own claims only (each submitter has a roster of its own)."""
        key = tuple_(claims.c.submitter, claims.c.duplicate_key)
        found = await self.session.execute(
            select(claims.c.submitter, claims.c.duplicate_key).where(
                key.in_(list(set(keys))), claims.c.status == "adjudicated", claims.c.paid > 0
            )
        )
        return {(row.submitter, row.duplicate_key) for row in found}

    async def members_locked(self, keys: Iterable[MemberKey]) -> dict[MemberKey, Any]:
        key = tuple_(members.c.submitter, members.c.payer_id, members.c.member_id)
        rows = (await self.session.execute(select(members).where(key.in_(list(keys))).with_for_update())).all()
        return {(row.submitter, row.payer_id, row.member_id): row for row in rows}

    async def paid_of_payee(self, payee: PayeeKey, limit: int) -> list[Any]:
        """The payee's newest paid claims (candidates for a reprocessing take-back)."""
        submitter, payer_id, payee_npi = payee
        query = (
            select(claims)
            .where(claims.c.submitter == submitter, claims.c.payer_id == payer_id, claims.c.status == "adjudicated")
            .where(claims.c.paid > 0, claims.c.claim["billing_npi"].astext == payee_npi)
            .where(claims.c.remittance.is_distinct_from("paper"))  # the payee never had it in an 835
            .order_by(claims.c.adjudicated_at.desc())
            .limit(limit)
        )
        return list((await self.session.execute(query)).all())

    async def reviews_due(self, payees: Iterable[PayeeKey], day: int, limit: int) -> dict[PayeeKey, Any]:
        """Per payee about to be paid: its paid claims whose review finds them overpaid by `day` (still as paid: not
        reversed or replaced since), oldest first, locked with the claims."""
        payee = tuple_(claims.c.submitter, claims.c.payer_id, claims.c.claim["billing_npi"].astext)
        query = (
            select(claims)
            .where(claims.c.review_day <= day, claims.c.status == "adjudicated", payee.in_(list(payees)))
            .order_by(claims.c.review_day, claims.c.payer_claim_number)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        found: dict[PayeeKey, list[Any]] = defaultdict(list)
        for row in await self.session.execute(query):
            found[(row.submitter, row.payer_id, row.claim["billing_npi"])].append(row)
        return found

    async def owed(self, payees: Iterable[PayeeKey]) -> dict[PayeeKey, list[Balance]]:
        """The forward balances of the payees about to be paid, oldest reference first; locked with the claims."""
        key = tuple_(forward_balances.c.submitter, forward_balances.c.payer_id, forward_balances.c.payee_npi)
        rows = await self.session.execute(
            select(forward_balances)
            .where(key.in_(list(payees)))
            .order_by(forward_balances.c.reference)
            .with_for_update()
        )
        found: dict[PayeeKey, list[Balance]] = defaultdict(list)
        for row in rows:
            found[(row.submitter, row.payer_id, row.payee_npi)].append(Balance(row.reference, row.amount))
        return found

    async def store_outcome(self, outcome: CycleOutcome, now: datetime, *, bundle_835s: bool) -> None:
        if outcome.results:
            await self._store_results(outcome, now)
        if outcome.recovered:
            await self.session.execute(update(claims).where(claims.c.id.in_(outcome.recovered)).values(review_day=None))
        if outcome.reversed:
            await self.session.execute(
                update(claims).where(claims.c.id.in_(outcome.reversed)).values(status="reversed")
            )
        if outcome.renumbered:
            await self.session.execute(
                update(claims)
                .where(claims.c.id == bindparam("claim_id"))
                .values(payer_claim_number=bindparam("number")),
                [{"claim_id": claim_id, "number": number} for claim_id, number in outcome.renumbered.items()],
            )
        if outcome.members:
            await self.session.execute(
                update(members)
                .where(
                    members.c.submitter == bindparam("s"),
                    members.c.payer_id == bindparam("p"),
                    members.c.member_id == bindparam("m"),
                )
                .values(deductible_met=bindparam("met"), visits_used=bindparam("visits"), benefit_year=now.year),
                [
                    {"s": s, "p": p, "m": m, "met": member.deductible_met, "visits": member.visits_used}
                    for (s, p, m), member in outcome.members.items()
                ],
            )
        if outcome.remittances:
            await self.session.execute(documents.insert(), _remittance_files(outcome, bundle_835s))
        await self._store_balances(outcome.balances)
        await self._store_later(outcome.crossovers, now)
        await self._store_later(outcome.splits, now)

    async def _store_results(self, outcome: CycleOutcome, now: datetime) -> None:
        rows = [
            {
                "claim_id": claim_id,
                "result": adjudication_to_json(result),
                "amount": result.paid,
                "remitted": "paper" if claim_id in outcome.paper else "electronic",
                "review": outcome.reviews.get(claim_id),
            }
            for claim_id, result in outcome.results.items()
        ]
        values = {
            "status": "adjudicated",
            "adjudication": bindparam("result"),
            "paid": bindparam("amount"),
            "adjudicated_at": now,
            "remittance": bindparam("remitted"),
            "review_day": bindparam("review"),
        }
        await self.session.execute(update(claims).where(claims.c.id == bindparam("claim_id")).values(**values), rows)

    async def _store_later(self, crossovers: dict[UUID, Claim], now: datetime) -> None:
        """Claims to pay in a later cycle, accepted under new numbers: those a payer forwarded to the crossover
        payer, and the parts of split claims."""
        if not crossovers:
            return
        query = select(claims.c.id, claims.c.submitter, claims.c.submission_id).where(claims.c.id.in_(list(crossovers)))
        originals = {row.id: row for row in await self.session.execute(query)}
        numbers = [await self.session.scalar(select(payer_claim_numbers.next_value())) for _ in crossovers]
        rows = [
            {
                "id": uuid4(),
                "submitter": originals[original].submitter,
                "submission_id": originals[original].submission_id,
                "payer_id": claim.payer_id,
                "payer_claim_number": f"{claim.payer_id}{number}",
                "patient_control_number": claim.patient_control_number,
                "status": "accepted",
                "claim_status": ACCEPTED,
                "duplicate_key": duplicate_key(claim),
                "claim": claim.model_dump(mode="json"),
                "received_on": business_date(at=now),
            }
            for (original, claim), number in zip(crossovers.items(), numbers, strict=True)
        ]
        await self.session.execute(insert(claims), rows)

    async def _store_balances(self, balances: dict[PayeeKey, list[Balance]]) -> None:
        """Each paid payee's balances as the cycle left them: the ones taken back go, new ones come."""
        if not balances:
            return
        key = tuple_(forward_balances.c.submitter, forward_balances.c.payer_id, forward_balances.c.payee_npi)
        await self.session.execute(delete(forward_balances).where(key.in_(list(balances))))
        rows = _balance_rows(balances.items())
        if rows:
            await self.session.execute(insert(forward_balances), rows)


def _remittance_files(outcome: CycleOutcome, bundle_835s: bool) -> list[dict[str, Any]]:
    """Inbox rows: one per 835, or one per submitter holding its 835s one after another (an interchange each)."""
    if not bundle_835s:
        return [{"submitter": r.submitter, "kind": "835", "content": r.content} for r in outcome.remittances]
    by_submitter: dict[UUID, list[str]] = defaultdict(list)
    for remittance in outcome.remittances:
        by_submitter[remittance.submitter].append(remittance.content)
    return [{"submitter": s, "kind": "835", "content": "".join(files)} for s, files in by_submitter.items()]


def _balance_rows(balances: Iterable[tuple[PayeeKey, list[Balance]]]) -> Sequence[dict[str, Any]]:
    by_reference: dict[tuple[UUID, str, str, str], Decimal] = defaultdict(Decimal)
    for (submitter, payer_id, payee_npi), owed_now in balances:
        for balance in owed_now:  # one claim may be owed for twice (carried, then recovered): one row
            by_reference[(submitter, payer_id, payee_npi, balance.reference)] += balance.amount
    return [
        {"submitter": s, "payer_id": p, "payee_npi": n, "reference": r, "amount": amount}
        for (s, p, n, r), amount in by_reference.items()
    ]
