"""Claims stored from the aggregate (`domain.Claim`): the writing half of `uow.claims` (`claims.Claims`).

`save` writes what the aggregate recorded: each claim's new status, guarded by the status it was read in (a
claim another transaction moved meanwhile is refused, never overwritten), its changed fields and a history row
per move, in a few statements for any number of claims.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any
from uuid import UUID

from claimstream_platform.context import current_actor
from claimstream_platform.contracts import Reason
from claimstream_platform.db import Repository
from claimstream_platform.many_rows import insert_many, one_of, update_many
from sqlalchemy import func, insert, update
from sqlalchemy.engine import Row

from claim_submission.domain.claim import Claim
from claim_submission.domain.states import ClaimStatus, IllegalTransition
from claim_submission.tables import claim_history, claims


def claim_of(row: Row[Any]) -> Claim:
    return Claim(
        id=row.id,
        tenant_id=row.tenant_id,
        practice_id=row.practice_id,
        encounter_id=row.encounter_id,
        encounter_version=row.encounter_version,
        payer_id=row.payer_id,
        status=ClaimStatus(row.status),
        frequency=row.frequency,
        stored_content=row.content,
        total_charge=row.total_charge,
        service_date=row.service_date,
        patient_control_number=row.patient_control_number,
        payer_claim_number=row.payer_claim_number,
        replaces_claim_id=row.replaces_claim_id,
        reasons=[Reason.model_validate(r) for r in row.reasons],
        acknowledged_rules=list(row.acknowledged_rules),
        interchange_number=row.interchange_number,
        transaction_control=row.transaction_control,
        correction_note=row.correction_note,
        updated_at=row.updated_at,
        overdue_at=row.overdue_at,
        stored_status=ClaimStatus(row.status),
    )


class ClaimWrites(Repository):
    table = claims

    async def insert_new(self, new: Sequence[Claim], keys: Sequence[str]) -> None:
        """Store new claim versions (with their duplicate keys) and their first history rows in two statements; each
        is numbered by the database (CS + the claim_numbers sequence) and records its creation."""
        if not new:
            return
        numbers = await self.session.execute(
            insert(claims).returning(claims.c.patient_control_number, sort_by_parameter_order=True),
            [self._row(claim, key) for claim, key in zip(new, keys, strict=True)],
        )
        for claim, number in zip(new, numbers.scalars(), strict=True):
            claim.numbered(str(number))
            claim.stored_status = claim.status
        history = [
            {
                "claim_id": c.id,
                "status": str(c.status),
                "detail": {"frequency": c.frequency, "reasons": [r.rule for r in c.reasons]},
                "actor": current_actor()[:200],
            }
            for c in new
        ]
        await insert_many(self.session, claim_history, history)

    @staticmethod
    def _row(claim: Claim, key: str) -> dict[str, Any]:
        return {
            "id": claim.id,
            "tenant_id": claim.tenant_id,
            "practice_id": claim.practice_id,
            "encounter_id": claim.encounter_id,
            "encounter_version": claim.encounter_version,
            "payer_id": claim.payer_id,
            "status": str(claim.status),
            "frequency": claim.frequency,
            "payer_claim_number": claim.payer_claim_number,
            "replaces_claim_id": claim.replaces_claim_id,
            "total_charge": claim.total_charge,
            "service_date": claim.service_date,
            "duplicate_key": key,
            "content": claim.stored_content,
            "reasons": [r.model_dump() for r in claim.reasons],
            "correction_note": claim.correction_note,
        }

    async def save(self, changed: Iterable[Claim]) -> None:
        """Store what the claims recorded: fields, then each status guarded by the one it was read in, then history."""
        changed = [claim for claim in changed if claim.moves or claim.dirty]
        rows = [
            {
                "id": c.id,
                "reasons": [r.model_dump() for r in c.reasons],
                "payer_claim_number": c.payer_claim_number,
                "acknowledged_rules": c.acknowledged_rules,
                "overdue_at": c.overdue_at,
            }
            for c in changed
            if c.dirty
        ]
        await update_many(self.session, claims, "id", rows)
        await self._store_moves([claim for claim in changed if claim.moves])
        for claim in changed:
            claim.stored_status, claim.moves, claim.dirty = claim.status, [], False

    async def _store_moves(self, moved: Sequence[Claim]) -> None:
        groups: dict[tuple[str, str], list[UUID]] = defaultdict(list)
        for claim in moved:
            groups[(str(claim.stored_status), str(claim.status))].append(claim.id)
        for (source, target), ids in groups.items():
            updated = await self.session.scalars(
                update(claims)
                .where(one_of(claims.c.id, ids), claims.c.status == source)
                .values(status=target, updated_at=func.now())
                .returning(claims.c.id)
            )
            if len(set(updated)) != len(ids):
                raise IllegalTransition(f"claims moved by another transaction cannot become {target}")
        if moved:
            actor = current_actor()[:200]
            history = [
                {"claim_id": c.id, "status": str(m.target), "detail": m.detail, "actor": actor}
                for c in moved
                for m in c.moves
            ]
            await insert_many(self.session, claim_history, history)

    async def store_binding(self, bound: Sequence[Claim]) -> None:
        """Bound claims' interchange and ST02, with their move to submitting."""
        await update_many(
            self.session,
            claims,
            "id",
            [
                {"id": c.id, "interchange_number": c.interchange_number, "transaction_control": c.transaction_control}
                for c in bound
            ],
        )
        await self.save(bound)
