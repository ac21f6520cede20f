"""Good Faith Estimates (`uow.estimates`): stored as issued, read back within the caller's tenant and practices (the
tenant filter written once, `mine`, narrowed to the caller's practices in `_scoped`), and the charges billed against
each kept per encounter in the part of its provider or facility, with the parts exceeded."""

import json
from collections.abc import Iterable
from dataclasses import asdict
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from claimstream_platform.auth import Principal
from claimstream_platform.db import Repository
from claimstream_platform.many_rows import rows_in
from claimstream_platform.paging import EMBEDDED
from sqlalchemy import delete, func, select, update

from eligibility.estimate import Estimate, Service
from eligibility.tables import estimate_charges, estimate_parts_exceeded, good_faith_estimates

g = good_faith_estimates.c


class Estimates(Repository):
    table = good_faith_estimates

    async def add(self, tenant_id: UUID, practice_id: UUID, estimate_id: UUID, estimate: Estimate) -> None:
        document = json.loads(json.dumps(asdict(estimate), default=str))
        await self.session.execute(
            good_faith_estimates.insert().values(
                id=estimate_id,
                tenant_id=tenant_id,
                practice_id=practice_id,
                patient_ref=estimate.patient_ref,
                document=document,
                period_from=estimate.period_from,
                period_to=estimate.period_to,
                total=estimate.total,
            )
        )

    async def find(self, principal: Principal, estimate_id: UUID) -> tuple[Estimate, dict[str, Decimal]] | None:
        """The estimate and what has been billed against each of its parts so far, by provider or facility NPI."""
        query = select(good_faith_estimates).where(
            g.id == estimate_id, *self._scoped(principal.tenant_id, principal.practice_ids)
        )
        row = (await self.session.execute(query)).first()
        if row is None:
            return None
        c = estimate_charges.c
        billed = select(c.provider_npi, func.sum(c.amount)).where(c.estimate_id == estimate_id).group_by(c.provider_npi)
        return _estimate(row.document), {npi: Decimal(total) for npi, total in await self.session.execute(billed)}

    async def of_patient(
        self, principal: Principal, practice_id: UUID, patient_ref: str
    ) -> list[tuple[UUID, Estimate, dict[str, Decimal]]]:
        """The patient's estimates, the newest period first (at most EMBEDDED: one a year or so each), each with
        what has been billed against its parts so far."""
        where = [*self._scoped(principal.tenant_id, principal.practice_ids), g.practice_id == practice_id]
        query = select(g.id, g.document).where(*where, g.patient_ref == patient_ref)
        rows = (await self.session.execute(query.order_by(g.period_from.desc(), g.id).limit(EMBEDDED))).all()
        if not rows:
            return []
        c = estimate_charges.c
        sums = select(c.estimate_id, c.provider_npi, func.sum(c.amount)).where(c.estimate_id.in_([r.id for r in rows]))
        billed: dict[UUID, dict[str, Decimal]] = {}
        for estimate_id, npi, total in await self.session.execute(sums.group_by(c.estimate_id, c.provider_npi)):
            billed.setdefault(estimate_id, {})[npi] = Decimal(total)
        return [(row.id, _estimate(row.document), billed.get(row.id, {})) for row in rows]

    async def estimated(self, tenant_id: UUID, patients: set[tuple[UUID, str]]) -> set[tuple[UUID, str]]:
        """Which of the patients (practice, patient ref) have any estimate: the others' charges count against none."""
        query = select(g.practice_id, g.patient_ref).distinct()
        query = query.where(self.mine(tenant_id), rows_in((g.practice_id, g.patient_ref), patients))
        return {(row.practice_id, row.patient_ref) for row in await self.session.execute(query)}

    async def covering(
        self, tenant_id: UUID, practice_id: UUID, patient_ref: str, served: date
    ) -> list[tuple[UUID, Estimate]]:
        """The patient's estimates whose period covers `served`, locked for this transaction (one charge at a time)."""
        query = select(g.id, g.document).where(
            *self._scoped(tenant_id, [practice_id]),
            g.patient_ref == patient_ref,
            g.period_from <= served,
            g.period_to >= served,
        )
        rows = (await self.session.execute(query.order_by(g.id).with_for_update())).all()
        return [(estimate_id, _estimate(document)) for estimate_id, document in rows]

    async def record_charge(
        self, estimate_id: UUID, encounter_id: UUID, part: str | None, amount: Decimal | None
    ) -> None:
        """The encounter's charge in one part of the estimate (its provider's or facility's NPI); None: it counts no
        more (voided, or re-coded to a provider the estimate does not name)."""
        c = estimate_charges.c
        await self.session.execute(
            delete(estimate_charges).where(c.estimate_id == estimate_id, c.encounter_id == encounter_id)
        )
        if part is not None and amount is not None:
            row = {"estimate_id": estimate_id, "encounter_id": encounter_id, "provider_npi": part, "amount": amount}
            await self.session.execute(estimate_charges.insert().values(row))

    async def part_standing(self, estimate_id: UUID, part: str) -> tuple[Decimal, bool]:
        """What is billed against one part now, and whether that part was announced exceeded already."""
        c, x = estimate_charges.c, estimate_parts_exceeded.c
        billed = await self.session.scalar(
            select(func.coalesce(func.sum(c.amount), 0)).where(c.estimate_id == estimate_id, c.provider_npi == part)
        )
        announced = await self.session.scalar(
            select(func.count()).where(x.estimate_id == estimate_id, x.provider_npi == part)
        )
        return Decimal(billed or 0), bool(announced)

    async def mark_exceeded(self, estimate_id: UUID, part: str) -> None:
        await self.session.execute(estimate_parts_exceeded.insert().values(estimate_id=estimate_id, provider_npi=part))
        await self.session.execute(
            update(good_faith_estimates)
            .where(g.id == estimate_id, g.exceeded_at.is_(None))
            .values(exceeded_at=datetime.now(UTC))
        )

    async def patient_of(self, encounter_id: UUID) -> str | None:
        """The patient whose estimate an encounter was billed against (a voided charge names only its encounter)."""
        query = (
            select(g.patient_ref)
            .join(estimate_charges, estimate_charges.c.estimate_id == g.id)
            .where(estimate_charges.c.encounter_id == encounter_id)
            .limit(1)
        )
        found: str | None = await self.session.scalar(query)
        return found

    def _scoped(self, tenant_id: UUID, practice_ids: Iterable[UUID] | None) -> list[Any]:
        """The tenant's estimates (`mine`), of `practice_ids` when given."""
        where = [self.mine(tenant_id)]
        if practice_ids is not None:
            where.append(g.practice_id.in_(list(practice_ids)))
        return where


def _estimate(document: dict[str, Any]) -> Estimate:
    services = tuple(
        Service(s["code"], s["label"], Decimal(s["fee"]), int(s["quantity"]), s.get("provider_npi", ""))
        for s in document["services"]
    )
    return Estimate(
        patient_ref=document["patient_ref"],
        patient_name=document["patient_name"],
        birth_date=date.fromisoformat(document["birth_date"]),
        provider_name=document["provider_name"],
        provider_npi=document["provider_npi"],
        period_from=date.fromisoformat(document["period_from"]),
        period_to=date.fromisoformat(document["period_to"]),
        services=services,
        issued_on=date.fromisoformat(document["issued_on"]),
        co_providers=tuple((npi, name) for npi, name in document.get("co_providers", [])),
    )
