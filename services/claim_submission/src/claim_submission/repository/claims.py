"""Claims, `uow.claims`: read into the aggregate (`domain.Claim`) and locked, and read for the API (scoped to the
caller's tenant and the practices its token allows); stored by the half in `claim_writes`.

Every query that names a tenant filters on it through `mine`; the loop's queries (the ready claims to batch, the
claims overdue) and the ones keyed by claim ids or by (tenant, ...) pairs span tenants on purpose.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from claimstream_platform.auth import Principal
from claimstream_platform.errors import NotFound
from claimstream_platform.locks import hold_names
from claimstream_platform.many_rows import one_of, rows_in
from claimstream_platform.paging import OrderedPageRequest, in_scope, keyset_page, ordered_page
from sqlalchemy import ColumnElement, Select, literal_column, or_, select
from sqlalchemy.engine import Row

from claim_submission.domain.claim import Claim
from claim_submission.domain.states import AT_PAYER, OPEN
from claim_submission.repository.claim_writes import ClaimWrites, claim_of
from claim_submission.scrubbing.authorization_rule import MISSING, REQUIRED
from claim_submission.scrubbing.coverage_rule import CoverageKey, PlanKey
from claim_submission.tables import claim_history, claims

OPEN_STATES = sorted(str(s) for s in OPEN)
AT_PAYER_STATES = sorted(str(s) for s in AT_PAYER)


def plan_lock_names(keys: Iterable[PlanKey]) -> set[str]:
    """The lock of each patient's claims to a payer (`Claims.hold_plans`); the visit count takes the same one."""
    return {
        ":".join(("claim-submission:plan", str(t), str(p), patient[:80], payer[:80])) for t, p, patient, payer in keys
    }


def duplicate_lock_names(pairs: Iterable[tuple[UUID, str]]) -> set[str]:
    """The lock of each (tenant, duplicate key) a new claim asks about (`Claims.duplicates`)."""
    return {f"claim-submission:duplicate:{tenant}:{key}" for tenant, key in pairs}


class Claims(ClaimWrites):
    async def _locked(self, query: Select[Any], *, skip_locked: bool = False) -> list[Claim]:
        rows = await self.session.execute(query.with_for_update(skip_locked=skip_locked))
        return [claim_of(row) for row in rows]

    async def lock(self, tenant_id: UUID, claim_id: UUID) -> Claim | None:
        found = await self._locked(select(claims).where(claims.c.id == claim_id, self.mine(tenant_id)))
        return found[0] if found else None

    async def lock_all(self, tenant_id: UUID, claim_ids: Iterable[UUID]) -> dict[UUID, Claim]:
        """The tenant's claims of these ids, by id, locked in id order."""
        query = select(claims).where(self.mine(tenant_id), one_of(claims.c.id, claim_ids)).order_by(claims.c.id)
        return {claim.id: claim for claim in await self._locked(query)}

    async def lock_many(self, claim_ids: Iterable[UUID]) -> list[Claim]:
        return await self._locked(select(claims).where(one_of(claims.c.id, claim_ids)).order_by(claims.c.id))

    async def lock_of_encounter(self, tenant_id: UUID, encounter_id: UUID, *, open_only: bool = False) -> list[Claim]:
        """The encounter's claims, newest first."""
        query = select(claims).where(self.mine(tenant_id), claims.c.encounter_id == encounter_id)
        if open_only:
            query = query.where(claims.c.status.in_(OPEN_STATES))
        return await self._locked(query.order_by(claims.c.created_at.desc()))

    async def lock_where(
        self,
        *,
        statuses: Sequence[str],
        tenant_id: UUID | None = None,
        interchange_number: int | None = None,
        replacing: Sequence[UUID] | None = None,
    ) -> list[Claim]:
        """Claims in `statuses`, of a tenant, of an interchange or replacing these claims."""
        query = select(claims).where(claims.c.status.in_([str(s) for s in statuses]))
        if tenant_id is not None:
            query = query.where(self.mine(tenant_id))
        if interchange_number is not None:
            query = query.where(claims.c.interchange_number == interchange_number)
        if replacing is not None:
            query = query.where(one_of(claims.c.replaces_claim_id, replacing))
        return await self._locked(query.order_by(claims.c.id))

    async def lock_answered(self, interchange_numbers: Sequence[int], control_numbers: Sequence[str]) -> list[Claim]:
        """Claims that may be at the payer, of these interchanges or with these CLM01s: what a pass of 999s and
        277CAs answers."""
        named = or_(
            one_of(claims.c.interchange_number, interchange_numbers),
            one_of(claims.c.patient_control_number, control_numbers),
        )
        return await self._locked(
            select(claims).where(claims.c.status.in_(AT_PAYER_STATES), named).order_by(claims.c.id)
        )

    async def ready_to_batch(self, limit: int) -> list[Claim]:
        """The oldest ready claims no other sender holds."""
        ready = claims.c.status == literal_column("'ready'")  # written out, as ix_claims_ready's predicate is
        query = select(claims).where(ready).order_by(claims.c.created_at).limit(limit)
        return await self._locked(query, skip_locked=True)

    async def awaiting_since(self, statuses: Iterable[str], before: datetime, limit: int) -> list[Claim]:
        """Claims in `statuses` unchanged since before `before` and not yet flagged overdue, oldest first."""
        query = (
            select(claims)
            .where(claims.c.status.in_([str(s) for s in statuses]), claims.c.overdue_at.is_(None))
            .where(claims.c.updated_at < before)
            .order_by(claims.c.updated_at)
            .limit(limit)
        )
        return await self._locked(query, skip_locked=True)

    def _of_plan(self, key: PlanKey) -> tuple[ColumnElement[bool], ...]:
        """The claims of a patient (the practice's id) to a payer."""
        tenant_id, practice_id, patient_ref, payer_id = key
        return (
            self.mine(tenant_id),
            claims.c.practice_id == practice_id,
            claims.c.payer_id == payer_id,
            claims.c.patient_ref == patient_ref,
        )

    async def hold_plans(self, keys: Iterable[PlanKey]) -> None:
        """Until this transaction ends, it alone bills these patients' claims to these payers, or applies an answer
        about them (an approval, a visit prior authorization says needs one). A claim and the approval that covers
        it come on different partitions: taken at once, the claim would miss the approval and be held for it, and
        the approval would miss the held claim, which stayed held for good. The later waits here for the earlier
        to commit, then sees what it did."""
        await hold_names(self.uow, plan_lock_names(keys))

    async def held_without(self, key: PlanKey) -> list[Claim]:
        """The patient's claims to that payer held for a missing or required authorization, locked."""
        query = select(claims).where(
            *self._of_plan(key),
            claims.c.status == "held",
            claims.c.reasons.contains([{"rule": MISSING}]) | claims.c.reasons.contains([{"rule": REQUIRED}]),
        )
        return await self._locked(query.order_by(claims.c.id))

    async def unsent(self, key: PlanKey) -> list[Claim]:
        """The patient's claims to that plan not sent yet (ready or held), locked."""
        query = select(claims).where(*self._of_plan(key), claims.c.status.in_(("ready", "held")))
        return await self._locked(query.order_by(claims.c.id))

    async def unsent_to(self, tenant_id: UUID, practice_id: UUID, payer_id: str) -> list[Claim]:
        """The practice's claims to that payer not sent yet (ready or held), locked."""
        query = select(claims).where(
            self.mine(tenant_id),
            claims.c.practice_id == practice_id,
            claims.c.payer_id == payer_id,
            claims.c.status.in_(("ready", "held")),
        )
        return await self._locked(query.order_by(claims.c.id))

    async def ready_on(self, key: CoverageKey) -> list[Claim]:
        """The claims of that coverage and date not sent yet, locked."""
        query = select(claims).where(
            *self._of_plan(key[:4]), claims.c.service_date == key[4], claims.c.status == "ready"
        )
        return await self._locked(query.order_by(claims.c.id))

    async def open_duplicates(
        self, wanted: Iterable[tuple[UUID, str]]
    ) -> dict[tuple[UUID, str], list[tuple[UUID, UUID]]]:
        """The open claims (encounter id, claim id) of each (tenant, duplicate key) of `wanted`, asked under the
        keys' locks (_hold). Whether a claim is open is checked here, not in the statement: with the status there,
        a table not yet analyzed (a new installation's first minutes) was read by the queue's index (tenant,
        practice, status), every open claim of the tenant for each key (50 ms for 50 keys and 1,300 open claims),
        where a key has a claim or two."""
        pairs = list(set(wanted))
        await self._hold(pairs)
        c = claims.c
        rows = await self.session.execute(
            select(c.tenant_id, c.duplicate_key, c.encounter_id, c.id, c.status).where(
                rows_in((c.tenant_id, c.duplicate_key), pairs)
            )
        )
        found: dict[tuple[UUID, str], list[tuple[UUID, UUID]]] = defaultdict(list)
        for row in rows:
            if row.status in OPEN_STATES:
                found[(row.tenant_id, row.duplicate_key)].append((row.encounter_id, row.id))
        return found

    async def _hold(self, pairs: Iterable[tuple[UUID, str]]) -> None:
        """Until this transaction ends, it alone asks about these duplicate keys. An EHR that posts one visit twice
        makes two encounters, which come on different partitions: asked at once, neither would see the other's
        claim and both would leave. The second waits here for the first to commit, and finds its claim."""
        await hold_names(self.uow, duplicate_lock_names(pairs))

    async def encounters_with_claims(self, wanted: Iterable[tuple[UUID, UUID]]) -> set[tuple[UUID, UUID]]:
        rows = await self.session.execute(
            select(claims.c.tenant_id, claims.c.encounter_id)
            .where(rows_in((claims.c.tenant_id, claims.c.encounter_id), set(wanted)))
            .distinct()
        )
        return {(row.tenant_id, row.encounter_id) for row in rows}

    async def void_on_its_way(self, claim_id: UUID) -> bool:
        """An open frequency 8 claim for `claim_id` already exists."""
        query = select(claims.c.id).where(
            claims.c.replaces_claim_id == claim_id, claims.c.frequency == "8", claims.c.status.in_(OPEN_STATES)
        )
        return (await self.session.scalar(query.limit(1))) is not None

    async def in_scope(self, principal: Principal, claim_id: UUID) -> Any:
        """For the API: the claim, or NotFound when it is another tenant's or a practice the token does not
        allow."""
        query = select(claims).where(claims.c.id == claim_id, self.mine(principal.tenant_id))
        row = (await self.session.execute(query)).one_or_none()
        if row is None or not principal.may_access(row.practice_id):
            raise NotFound("claim not found")
        return row

    async def history_of(self, claim_id: UUID, page: OrderedPageRequest) -> tuple[list[Row[Any]], str | None]:
        """A page of the claim's history, the latest change first (the caller has found the claim in its scope: its
        history is reached through it)."""
        query = select(claim_history).where(claim_history.c.claim_id == claim_id)
        order = [claim_history.c.id]
        return await ordered_page(self.session, query, order, limit=page.limit, cursor=page.cursor, newest_first=True)

    async def page(
        self,
        principal: Principal,
        *,
        practice_id: UUID | None,
        encounter_id: UUID | None,
        status: str | None,
        overdue: bool | None,
        limit: int,
        cursor: UUID | None,
    ) -> tuple[list[Any], UUID | None]:
        """For the API: a page of the tenant's claims in the practices the token allows, filtered; and the next
        cursor."""
        query = in_scope(
            select(claims).where(self.mine(principal.tenant_id)), claims.c.practice_id, principal, practice_id
        )
        if encounter_id is not None:
            query = query.where(claims.c.encounter_id == encounter_id)
        if status is not None:
            query = query.where(claims.c.status == status)
        if overdue is not None:
            query = query.where(claims.c.overdue_at.is_not(None) if overdue else claims.c.overdue_at.is_(None))
        page, next_cursor = await keyset_page(self.session, query, claims.c.id, limit=limit, cursor=cursor)
        return list(page), next_cursor
