"""Contract rates, variance items and payer silence (`uow.variance`); the tenant filter written once, `mine`."""

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from claimstream_platform.auth import Principal
from claimstream_platform.db import Repository
from claimstream_platform.paging import OrderedPageRequest, in_scope, ordered_page
from sqlalchemy import and_, exists, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import Row

from remittance_posting.known import KnownClaim
from remittance_posting.silence import PayerSilence
from remittance_posting.tables import claim_payments, contract_rates, known_claims, payer_silences, variances
from remittance_posting.variance import RateKey, Variance


class Variances(Repository):
    table = variances

    async def put_rates(
        self,
        tenant_id: UUID,
        practice_id: UUID,
        payer_id: str,
        effective_from: date,
        rates: Sequence[tuple[str, str, Decimal]],
    ) -> None:
        """(code, modifiers key, amount) from `effective_from`; the same date again replaces the amount."""
        rows = [
            {
                "tenant_id": tenant_id,
                "practice_id": practice_id,
                "payer_id": payer_id,
                "code": code,
                "modifiers": modifiers,
                "effective_from": effective_from,
                "amount": amount,
            }
            for code, modifiers, amount in rates
        ]
        statement = pg_insert(contract_rates).values(rows)
        await self.session.execute(
            statement.on_conflict_do_update(constraint="pk_contract_rates", set_={"amount": statement.excluded.amount})
        )

    async def rate_versions(
        self, tenant_id: UUID, practice_id: UUID, payer_id: str
    ) -> list[tuple[RateKey, date, Decimal]]:
        """Every version of the practice's contract rates with the payer, each code's by effective date
        (`variance.in_force` picks the one of a day)."""
        query = (
            select(
                contract_rates.c.code,
                contract_rates.c.modifiers,
                contract_rates.c.effective_from,
                contract_rates.c.amount,
            )
            .where(self.mine(tenant_id, contract_rates), contract_rates.c.practice_id == practice_id)
            .where(contract_rates.c.payer_id == payer_id)
            .order_by(contract_rates.c.code, contract_rates.c.modifiers, contract_rates.c.effective_from)
        )
        return [
            ((row.code, row.modifiers), row.effective_from, row.amount) for row in await self.session.execute(query)
        ]

    async def rates_of(
        self, tenant_id: UUID, practice_id: UUID, payer_id: str, page: OrderedPageRequest, version: date | None
    ) -> tuple[list[Row[Any]], str | None]:
        """A page of the practice's contract rates with the payer, the earliest version (effective date) first, then
        by code and modifiers; of one version when it is named."""
        query = select(contract_rates).where(
            self.mine(tenant_id, contract_rates),
            contract_rates.c.practice_id == practice_id,
            contract_rates.c.payer_id == payer_id,
        )
        if version is not None:
            query = query.where(contract_rates.c.effective_from == version)
        order = [contract_rates.c.effective_from, contract_rates.c.code, contract_rates.c.modifiers]
        return await ordered_page(self.session, query, order, limit=page.limit, cursor=page.cursor)

    async def add_variances(self, remittance_id: UUID, claim: KnownClaim, found: Sequence[Variance]) -> None:
        rows = [
            {
                "tenant_id": claim.tenant_id,
                "practice_id": claim.practice_id,
                "claim_id": claim.claim_id,
                "remittance_id": remittance_id,
                "payer_id": claim.payer_id,
                "line_number": variance.line_number,
                "code": variance.code[:5],
                "paid_code": variance.paid_code[:5],
                "kind": variance.kind,
                "expected": variance.expected,
                "allowed": variance.allowed,
                "difference": variance.difference,
                "reasons": list(variance.reasons),
            }
            for variance in found
        ]
        if rows:
            await self.session.execute(insert(variances), rows)

    async def variances_page(
        self, principal: Principal, practice_id: UUID | None, payer_id: str | None, page: OrderedPageRequest
    ) -> tuple[list[Row[Any]], str | None]:
        """A page of the variance items the caller may see, newest first."""
        query = in_scope(
            select(variances).where(self.mine(principal.tenant_id, variances)),
            variances.c.practice_id,
            principal,
            practice_id,
        )
        if payer_id is not None:
            query = query.where(variances.c.payer_id == payer_id)
        order = [variances.c.id]
        return await ordered_page(self.session, query, order, limit=page.limit, cursor=page.cursor, newest_first=True)

    async def silent_payers(self, before: datetime) -> list[Row[Any]]:
        """(tenant, payer) with claims accepted before `before` and still unpaid, and no payment for any of the
        payer's claims since `before`; with how many wait, since when, and the last payment."""
        claim, other = known_claims, known_claims.alias("other")
        unpaid = ~exists().where(claim_payments.c.claim_id == claim.c.claim_id)
        last_payment = (
            select(func.max(claim_payments.c.created_at))
            .join(other, other.c.claim_id == claim_payments.c.claim_id)
            .where(other.c.tenant_id == claim.c.tenant_id, other.c.payer_id == claim.c.payer_id)
            .scalar_subquery()
        )
        query = (
            select(
                claim.c.tenant_id,
                claim.c.payer_id,
                func.count().label("claims_waiting"),
                func.min(claim.c.accepted_at).label("oldest"),
                last_payment.label("last_payment"),
            )
            .where(claim.c.accepted_at < before, unpaid)
            .group_by(claim.c.tenant_id, claim.c.payer_id)
        )
        rows = (await self.session.execute(query)).all()
        return [row for row in rows if row.last_payment is None or row.last_payment < before]

    async def open_silence(self, silence: PayerSilence) -> bool:
        """Report the payer silent, once until it pays again; False when it is already reported."""
        open_only = payer_silences.c.ended_at.is_(None)
        row = {
            "tenant_id": silence.tenant_id,
            "payer_id": silence.payer_id,
            "claims_waiting": silence.claims_waiting,
            "oldest_accepted_on": silence.oldest_accepted_on,
            "last_payment_on": silence.last_payment_on,
        }
        stored = await self.session.scalar(
            pg_insert(payer_silences)
            .values(**row)
            .on_conflict_do_nothing(index_elements=["tenant_id", "payer_id"], index_where=open_only)
            .returning(payer_silences.c.id)
        )
        return stored is not None

    async def end_silences(self, paid: Sequence[tuple[UUID, str]]) -> None:
        """A payment arrived from these (tenant, payer): their silence is over."""
        for tenant_id, payer_id in set(paid):
            await self.session.execute(
                update(payer_silences)
                .where(and_(self.mine(tenant_id, payer_silences), payer_silences.c.payer_id == payer_id))
                .where(payer_silences.c.ended_at.is_(None))
                .values(ended_at=func.now())
            )

    async def silences(self, principal: Principal, page: OrderedPageRequest) -> tuple[list[Row[Any]], str | None]:
        """A page of the payers reported silent to the tenant, the latest report first."""
        query = select(payer_silences).where(self.mine(principal.tenant_id, payer_silences))
        order = [payer_silences.c.id]
        return await ordered_page(self.session, query, order, limit=page.limit, cursor=page.cursor, newest_first=True)
