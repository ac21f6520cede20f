"""Writes, from the consumer (`uow.folding`): the facts, the event counts, and each touched encounter's read model
replaced by its fold (delete and insert, in the consumer's transaction: a reader sees the old fold or the new, never
half). A batch spans tenants, so every statement names its rows by (tenant, id) pairs (`_pair_in`): the tenant is
part of each key, never left out of one."""

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from claimstream_platform.db import Repository
from claimstream_platform.locks import hold_ids
from claimstream_platform.many_rows import insert_many, skip_existing
from sqlalchemy import Delete, Table, Uuid, bindparam, delete, func, select, text, tuple_, union_all
from sqlalchemy.dialects.postgresql import ARRAY, Insert

from projection.model import ClaimView, Encounter, Fact, Folded
from projection.tables import claims, denial_cases, facts, ledger, stream_counts

EncounterKey = tuple[UUID, UUID]  # tenant, encounter
FOLD_ONLY = frozenset({"lines", "forwarded", "crossover_share"})  # what the fold works with and the ledger shows
CountKey = tuple[UUID, str, str, datetime]  # tenant, topic, type, minute


class Folding(Repository):
    table = facts

    async def count_events(self, counted: Counter[CountKey]) -> None:
        if not counted:
            return
        rows = [
            {"tenant_id": t, "topic": topic, "event_type": kind, "minute": minute, "count": n}
            for (t, topic, kind, minute), n in sorted(counted.items())
        ]
        await insert_many(self.session, stream_counts, rows, on_conflict=_added_up)

    async def plan_each_read(self) -> None:
        """The reads of this transaction are planned for the keys they are given, each time. A prepared statement
        is planned for its parameters at first, then PostgreSQL may keep one generic plan for any, which it judges
        from the statistics it has and from a list of keys it cannot see. The history read's generic plan, chosen
        while the facts table grew faster than autovacuum analyzed it (a fresh stack's first minute at 50
        encounters/s), took 27 and 30 s for two batches' encounters (88 and 266), which timed out; planned for its
        keys, 0.5 s at most in a run of the same bench."""
        await self.session.execute(_PLAN_EACH_READ)

    async def save_facts(self, kept: Sequence[Fact]) -> None:
        await insert_many(self.session, facts, fact_rows(kept), on_conflict=skip_existing)

    async def encounters_touched(self, kept: Sequence[Fact]) -> set[EncounterKey]:
        """The encounters the facts concern; a fact that names only a claim reaches it through the claim's other
        facts (none yet: it waits, stored, for the claim's creation)."""
        touched = {(f.tenant_id, f.encounter_id) for f in kept if f.encounter_id is not None}
        loose = {(f.tenant_id, f.claim_id) for f in kept if f.encounter_id is None and f.claim_id is not None}
        if loose:
            query = (
                select(facts.c.tenant_id, facts.c.encounter_id)
                .distinct()
                .where(_pair_in(facts.c.claim_id), facts.c.encounter_id.is_not(None))
            )
            found = await self.session.execute(query, _params(loose))
            touched |= {(row.tenant_id, row.encounter_id) for row in found}
        return touched

    async def lock(self, aggregates: set[tuple[UUID, UUID]]) -> None:
        """Hold each (tenant, claim or encounter) until this transaction ends, in one order. Two partitions'
        batches may touch one encounter (a claim's submission and its payment come on different topics), and each
        must fold the other's facts, not overwrite its fold. A deadlock between two late locks is retried by the
        consumer."""
        await hold_ids(
            self.uow,
            (
                int.from_bytes(bytes(a ^ b for a, b in zip(t.bytes[:8], i.bytes[:8], strict=True)), "big", signed=True)
                for t, i in aggregates
            ),
        )

    async def history(self, encounters: set[EncounterKey]) -> list[Fact]:
        """Every stored fact of the encounters: their own, and those that name one of their claims."""
        if not encounters:
            return []
        own = _pair_in(facts.c.encounter_id)
        their_claims = select(facts.c.tenant_id, facts.c.claim_id).where(own, facts.c.claim_id.is_not(None))
        claimed = tuple_(facts.c.tenant_id, facts.c.claim_id).in_(their_claims)
        # Two branches that share no fact, each read by its own index (by encounter, by claim): one `WHERE own OR
        # claim_id IN (...)` read the whole table for every batch, a cost that grew with every fact kept.
        query = union_all(select(facts).where(own), select(facts).where(claimed, facts.c.encounter_id.is_(None) | ~own))
        return [_fact(row) for row in await self.session.execute(query, _params(encounters))]

    async def encounters_with_claims(self) -> list[EncounterKey]:
        """Every encounter a stored fold gives a claim, in one order (for announcing them all again)."""
        query = (
            select(claims.c.tenant_id, claims.c.encounter_id)
            .distinct()
            .order_by(claims.c.tenant_id, claims.c.encounter_id)
        )
        return [(tenant, encounter) for tenant, encounter in await self.session.execute(query)]

    async def announced(self, encounters: set[EncounterKey]) -> dict[EncounterKey, tuple[Decimal, Decimal, bool]]:
        """What the stored folds of the encounters leave to the patient and to the insurance, and whether they know
        the patient (before this batch's fold replaces them): an encounter with no claims stored is not here."""
        if not encounters:
            return {}
        c = claims.c
        known = func.bool_or(c.patient_ref.is_not(None))
        query = (
            select(c.tenant_id, c.encounter_id, func.sum(c.patient_balance), func.sum(c.insurance_balance), known)
            .where(_pair_in(c.encounter_id))
            .group_by(c.tenant_id, c.encounter_id)
        )
        rows = await self.session.execute(query, _params(encounters))
        return {(tenant, encounter): (share, open_, bool(ref)) for tenant, encounter, share, open_, ref in rows}

    async def replace(self, folds: Iterable[tuple[EncounterKey, Folded]]) -> None:
        """Each encounter's read model replaced by its new fold."""
        done = list(folds)
        keys = [key for key, _ in done]
        if not keys:
            return
        await self.session.execute(_CLEARED, _params(keys))
        # the folds' claims, ledger entries and denial cases, into tables that now hold none of these encounters
        rows = fold_rows(done)
        for table in (claims, ledger, denial_cases):
            await insert_many(self.session, table, rows[table])


def _cleared() -> Delete:
    """The encounters' claims, ledger entries and denial cases deleted in one statement (one round trip, not three):
    two of the deletes ride along as data-modifying CTEs, which PostgreSQL runs to completion though nothing reads
    them."""
    ledger_gone = delete(ledger).where(_pair_in(ledger.c.encounter_id)).cte("ledger_gone")
    cases_gone = delete(denial_cases).where(_pair_in(denial_cases.c.encounter_id)).cte("cases_gone")
    return delete(claims).where(_pair_in(claims.c.encounter_id)).add_cte(ledger_gone).add_cte(cases_gone)


def _added_up(statement: Insert, _columns: tuple[str, ...]) -> Insert:
    """A minute this connection already counted gets this batch's count added to it (`writer` is the connection's,
    by its default: no other transaction writes the row meanwhile)."""
    return statement.on_conflict_do_update(
        index_elements=["tenant_id", "topic", "event_type", "minute", "writer"],
        set_={"count": stream_counts.c.count + statement.excluded.count},
    )


def fact_rows(kept: Sequence[Fact]) -> list[dict[str, Any]]:
    return [
        {
            "event_id": f.event_id,
            "tenant_id": f.tenant_id,
            "practice_id": f.practice_id,
            "encounter_id": f.encounter_id,
            "claim_id": f.claim_id,
            "type": f.type,
            "source": f.source[:80],
            "at": f.at,
            "data": dict(f.data),
        }
        for f in kept
    ]


def _pair_in(column: Any) -> Any:
    """(tenant_id, column) among the pairs given as two array parameters: one compiled statement for any count."""
    pairs = select(
        func.unnest(bindparam("tenants", type_=ARRAY(Uuid))), func.unnest(bindparam("ids", type_=ARRAY(Uuid)))
    )
    return tuple_(column.table.c.tenant_id, column).in_(pairs)


def _params(pairs: Iterable[tuple[UUID, UUID]]) -> dict[str, list[UUID]]:
    listed = list(pairs)
    return {"tenants": [t for t, _ in listed], "ids": [i for _, i in listed]}


def _fact(row: Any) -> Fact:
    return Fact(
        row.event_id,
        row.type,
        row.at,
        row.source,
        row.tenant_id,
        row.practice_id,
        row.encounter_id,
        row.claim_id,
        row.data,
    )


def fold_rows(done: Sequence[tuple[EncounterKey, Folded]]) -> dict[Table, list[dict[str, Any]]]:
    """The folds as rows of the claims, ledger and denial-case tables."""
    rows: dict[Table, list[dict[str, Any]]] = {claims: [], ledger: [], denial_cases: []}
    for _, folded in done:
        rows[claims] += [_claim_row(claim, folded.encounter) for claim in folded.claims.values()]
        rows[ledger] += _entry_rows(folded)
        rows[denial_cases] += _case_rows(folded)
    return rows


def _claim_row(claim: ClaimView, encounter: Encounter | None) -> dict[str, Any]:
    row = {name: value for name, value in vars(claim).items() if name not in FOLD_ONLY}
    row["procedure_code"] = (claim.procedure_code or "")[:5] or None
    row["external_id"] = encounter.external_id[:80] if encounter else None
    row["provider_npi"] = encounter.provider_npi if encounter else None
    row["patient_ref"] = (encounter.patient_ref or "")[:80] or None if encounter else None
    return row


def _entry_rows(folded: Folded) -> list[dict[str, Any]]:
    rows, seq = [], Counter[UUID]()
    for entry in folded.entries:
        claim = folded.claims[entry.claim_id]
        seq[entry.claim_id] += 1
        rows.append(
            {
                **vars(entry),
                "seq": seq[entry.claim_id],
                "tenant_id": claim.tenant_id,
                "practice_id": claim.practice_id,
                "encounter_id": claim.encounter_id,
                "payer_id": claim.payer_id,
                "provider_npi": _npi(folded),
                "patient_ref": _patient(folded),
                "service_date": claim.service_date,
            }
        )
    return rows


def _case_rows(folded: Folded) -> list[dict[str, Any]]:
    rows = []
    for case in folded.cases.values():
        claim = folded.claims.get(case.claim_id)
        if claim is None:
            continue  # its claim's creation has not arrived: folded again when it does
        rows.append(
            {
                **vars(case),
                "tenant_id": claim.tenant_id,
                "practice_id": claim.practice_id,
                "encounter_id": claim.encounter_id,
                "provider_npi": _npi(folded),
                "procedure_code": claim.procedure_code,
            }
        )
    return rows


def _npi(folded: Folded) -> str | None:
    return folded.encounter.provider_npi if folded.encounter else None


def _patient(folded: Folded) -> str | None:
    return (folded.encounter.patient_ref or "")[:80] or None if folded.encounter else None


_CLEARED = _cleared()
_PLAN_EACH_READ = text("SELECT set_config('plan_cache_mode', 'force_custom_plan', true)")  # this transaction's
