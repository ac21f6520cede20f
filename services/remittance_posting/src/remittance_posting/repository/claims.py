"""The claims remittance posting expects to be paid for (`KnownClaim`, mapped at the edge from claim submission's
events): remembered, renumbered by the payer, and found for an 835's claim payments (`uow.claims`). The tenant
filter is written once (`mine`); an 835 from the clearinghouse looks among every tenant's claims."""

from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from claimstream_platform.db import Repository
from claimstream_platform.many_rows import arrays, given, insert_many, one_of, skip_existing, update_many
from sqlalchemy import bindparam, func, or_, select, update
from sqlalchemy.engine import Row

from remittance_posting.known import KnownClaim, KnownLine
from remittance_posting.tables import known_claims


class KnownClaims(Repository):
    table = known_claims

    async def remember_claims(self, claims: Sequence[KnownClaim]) -> None:
        """Claims as claim submission announced them; a redelivered announcement changes nothing."""
        await insert_many(
            self.session, known_claims, [_known_row(claim) for claim in claims], on_conflict=skip_existing
        )

    async def accepted(self, numbers: dict[UUID, str | None], at: datetime) -> None:
        """The claims accepted at `at`, each under its payer claim number when the 277CA gave one (a claim given
        none keeps the number it had), in one statement for any number of claims."""
        if not numbers:
            return
        rows = [{"claim_id": claim_id, "payer_claim_number": number} for claim_id, number in numbers.items()]
        accepted = given(known_claims, ("claim_id", "payer_claim_number"))
        number = func.coalesce(accepted.c.payer_claim_number, known_claims.c.payer_claim_number)
        statement = (
            update(known_claims)
            .where(known_claims.c.claim_id == accepted.c.claim_id)
            .values(accepted_at=bindparam("at"), payer_claim_number=number)
        )
        await self.session.execute(statement, {**arrays(rows), "at": at})

    async def set_payer_claim_numbers(self, numbers: dict[UUID, str]) -> None:
        """Each claim's latest payer claim number, in one statement for any number of claims."""
        rows = [{"claim_id": claim_id, "payer_claim_number": number} for claim_id, number in numbers.items()]
        await update_many(self.session, known_claims, "claim_id", rows)

    async def claims_for(
        self,
        control_numbers: Iterable[str],
        payer_numbers: Iterable[str],
        *,
        tenant_id: UUID | None,
        payer_id: str,
        practice_ids: Iterable[UUID] | None = None,
    ) -> tuple[dict[str, KnownClaim], dict[str, KnownClaim]]:
        """Known claims by patient control number (CLM01: ours, unique) and by the payer's claim number (CLP07),
        of one tenant when given (and of `practice_ids`, an uploading token's practices, when given). A payer's
        claim number is matched only among the claims billed to the 835's payer (none when the 835 names no payer
        id): two payers may number claims alike. One that several tenants' claims carry matches none, and goes to the
        exceptions queue."""
        wanted = [n for n in set(payer_numbers) if n]
        by_payer_number = one_of(known_claims.c.payer_claim_number, wanted) & (known_claims.c.payer_id == payer_id)
        query = select(known_claims).where(
            or_(one_of(known_claims.c.patient_control_number, set(control_numbers)), by_payer_number)
        )
        if tenant_id is not None:
            query = query.where(*self.mine_in(tenant_id, practice_ids))
        rows = list(await self.session.execute(query.order_by(known_claims.c.created_at)))
        by_pcn = {row.patient_control_number: _known(row) for row in rows}
        numbered = [row for row in rows if payer_id and row.payer_id == payer_id and row.payer_claim_number in wanted]
        return by_pcn, _unambiguous(numbered)

    async def known_claim(self, tenant_id: UUID, claim_id: UUID) -> KnownClaim | None:
        query = select(known_claims).where(known_claims.c.claim_id == claim_id, self.mine(tenant_id))
        row = (await self.session.execute(query)).one_or_none()
        return _known(row) if row is not None else None

    async def lock(self, tenant_id: UUID, claim_id: UUID) -> KnownClaim | None:
        """The tenant's claim, locked until the transaction ends (money sent back on it, one at a time)."""
        query = select(known_claims).where(known_claims.c.claim_id == claim_id, self.mine(tenant_id))
        row = (await self.session.execute(query.with_for_update())).one_or_none()
        return _known(row) if row is not None else None

    async def known_claim_across_tenants(self, claim_id: UUID) -> KnownClaim | None:
        """Any tenant's claim: an installation operator assigning a payment no tenant was known for."""
        query = select(known_claims).where(known_claims.c.claim_id == claim_id)
        row = (await self.session.execute(query)).one_or_none()
        return _known(row) if row is not None else None


def _known_row(claim: KnownClaim) -> dict[str, Any]:
    return {
        "claim_id": claim.claim_id,
        "tenant_id": claim.tenant_id,
        "practice_id": claim.practice_id,
        "patient_control_number": claim.patient_control_number,
        "payer_id": claim.payer_id,
        "lines": [_line_json(line) for line in claim.lines],
        "service_date": claim.service_date,
        "responsibility": claim.responsibility,
    }


def _line_json(line: KnownLine) -> dict[str, Any]:
    return {
        "line_number": line.line_number,
        "code": line.code,
        "modifiers": list(line.modifiers),
        "amount": str(line.amount),
        "control_number": line.control_number,
    }


def _known(row: Row[Any]) -> KnownClaim:
    lines = tuple(
        KnownLine(
            line["line_number"],
            line["code"],
            tuple(line["modifiers"]),
            Decimal(str(line["amount"])),
            line["control_number"],
        )
        for line in row.lines
    )
    return KnownClaim(
        row.claim_id,
        row.tenant_id,
        row.practice_id,
        row.patient_control_number,
        row.payer_id,
        row.payer_claim_number,
        lines,
        row.service_date,
        row.responsibility,
    )


def _unambiguous(rows: Sequence[Row[Any]]) -> dict[str, KnownClaim]:
    """Each payer claim number's claim: the latest one when a tenant's claims share it (a replacement the payer
    numbered alike), none when several tenants' do."""
    tenants: dict[str, set[UUID]] = {}
    latest: dict[str, KnownClaim] = {}
    for row in rows:  # oldest first
        tenants.setdefault(row.payer_claim_number, set()).add(row.tenant_id)
        latest[row.payer_claim_number] = _known(row)
    return {number: claim for number, claim in latest.items() if len(tenants[number]) == 1}
