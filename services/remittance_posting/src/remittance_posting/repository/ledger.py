"""The recoupment ledger: money the payer took back, each linked to the claim it concerns. Provider-level
take-backs (PLB WO overpayment recovery, 72 authorized return, FB forward balance) summed per payee and
reference, with the forward balance still open; and reversals (CLP02 22) that no new payment followed
(`uow.ledger`; the tenant filter written once, `mine`); and the payers' overpayments still open."""

from typing import Any
from uuid import UUID

from claimstream_platform.auth import Principal
from claimstream_platform.db import Repository
from claimstream_platform.paging import OrderedPageRequest, in_scope, ordered_page
from sqlalchemy import String, case, cast, exists, func, select, union_all
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Row

from remittance_posting.tables import claim_payments, payer_refunds, provider_adjustments, remittances

TAKE_BACKS = ("WO", "72", "FB")
RECOVERIES = ("WO", "72")  # a payer's recovery of what it overpaid, at the provider level


class LedgerReads(Repository):
    table = provider_adjustments

    async def take_backs(
        self, principal: Principal, practice_id: UUID | None, page: OrderedPageRequest
    ) -> tuple[list[Row[Any]], str | None]:
        """A page of, per payee, reference and claim: what was recovered, what was carried forward (FB negative) and
        what of it is still open (carried and not yet taken back); the latest entry first."""
        pa = provider_adjustments
        fb = case((pa.c.reason == "FB", pa.c.amount), else_=0)
        query = in_scope(
            select(
                pa.c.payee_npi,
                pa.c.reference,
                pa.c.claim_id,
                func.count().label("entries"),
                func.sum(case((pa.c.amount > 0, pa.c.amount), else_=0)).label("recovered"),
                func.sum(case((pa.c.amount < 0, -pa.c.amount), else_=0)).label("carried"),
                func.greatest(-func.sum(fb), 0).label("open_forward_balance"),
                func.min(pa.c.created_at).label("first_at"),
                func.max(pa.c.created_at).label("last_at"),
                func.coalesce(cast(pa.c.claim_id, String), "").label("claim_key"),  # a key's part is never null
            ).where(self.mine(principal.tenant_id, pa), pa.c.reason.in_(TAKE_BACKS)),
            pa.c.practice_id,
            principal,
            practice_id,
        ).group_by(pa.c.payee_npi, pa.c.reference, pa.c.claim_id)
        grouped = query.subquery()
        order = [grouped.c.last_at, grouped.c.payee_npi, grouped.c.reference, grouped.c.claim_key]
        return await ordered_page(
            self.session, select(grouped), order, limit=page.limit, cursor=page.cursor, newest_first=True
        )

    async def unpaid_reversals(
        self, principal: Principal, practice_id: UUID | None, page: OrderedPageRequest
    ) -> tuple[list[Row[Any]], str | None]:
        """A page of the reversals of a claim's payment with no payment of the claim posted after them (money taken
        back), the latest first."""
        cp, later = claim_payments, claim_payments.alias("later")
        repaid = exists().where(
            later.c.claim_id == cp.c.claim_id,
            later.c.claim_status != "22",
            later.c.state == "posted",
            later.c.created_at >= cp.c.created_at,
            later.c.id != cp.c.id,
        )
        query = in_scope(
            select(
                cp.c.id,
                cp.c.claim_id,
                cp.c.remittance_id,
                cp.c.payer_claim_number,
                (-cp.c.paid).label("amount"),
                cp.c.created_at,
            ).where(self.mine(principal.tenant_id, cp), cp.c.claim_status == "22", ~repaid),
            cp.c.practice_id,
            principal,
            practice_id,
        )
        order = [cp.c.created_at, cp.c.id]
        return await ordered_page(self.session, query, order, limit=page.limit, cursor=page.cursor, newest_first=True)

    async def overpayments(
        self, principal: Principal, practice_id: UUID | None, page: OrderedPageRequest
    ) -> tuple[list[Row[Any]], str | None]:
        """A page of the claims a payer paid more than its own latest word on them (it paid twice, or paid again
        after a reversal), less what it took back since (a PLB WO or 72 naming the claim) or was sent back on its
        request; the oldest first. The money is the payer's until then."""
        found = self._overpaid(principal, practice_id).subquery()
        order = [found.c.since, found.c.claim_id, found.c.payer_id]
        return await ordered_page(self.session, select(found), order, limit=page.limit, cursor=page.cursor)

    async def overpaid_on(self, principal: Principal, claim_id: UUID, payer_id: str) -> Row[Any] | None:
        """One claim's overpayment by one payer, if the caller reaches it and it is still open."""
        found = self._overpaid(principal, None).subquery()
        query = select(found).where(found.c.claim_id == claim_id, found.c.payer_id == payer_id)
        return (await self.session.execute(query)).one_or_none()

    async def add_payer_refund(self, row: dict[str, Any]) -> None:
        await self.session.execute(insert(payer_refunds).values(row))

    def _overpaid(self, principal: Principal, practice_id: UUID | None) -> Any:
        per_claim, returned = self._paid_beyond_latest(principal, practice_id), self._returned(principal)
        c, back = per_claim.c, returned.c
        overpaid = (c.over - func.coalesce(back.returned, 0)).label("overpaid")
        joined = per_claim.outerjoin(returned, (back.claim_id == c.claim_id) & (back.payer_id == c.payer_id))
        return select(c.claim_id, c.practice_id, c.payer_id, overpaid, c.since).select_from(joined).where(overpaid > 0)

    def _paid_beyond_latest(self, principal: Principal, practice_id: UUID | None) -> Any:
        """Per claim and payer: its payments net of reversals, less the latest payment that was no reversal (the
        payer's own word on the claim now); and when that one came."""
        cp, r = claim_payments, remittances
        answer = cp.c.claim_status != "22"
        latest_first = func.row_number().over(
            partition_by=(cp.c.claim_id, r.c.payer_id, answer), order_by=cp.c.seq.desc()
        )
        kept = (cp.c.claim_id, cp.c.practice_id, r.c.payer_id, cp.c.paid, cp.c.created_at)
        paid = select(*kept, answer.label("answer"), latest_first.label("recency"))
        paid = paid.select_from(cp.join(r, r.c.id == cp.c.remittance_id))
        mine = [self.mine(principal.tenant_id, cp), cp.c.claim_id.is_not(None), cp.c.state.in_(("posted", "reversed"))]
        p = in_scope(paid.where(*mine), cp.c.practice_id, principal, practice_id).subquery().c
        latest = func.sum(p.paid).filter(p.answer & (p.recency == 1))
        since = func.max(p.created_at).filter(p.answer)
        grouped = select(
            p.claim_id, p.practice_id, p.payer_id, (func.sum(p.paid) - latest).label("over"), since.label("since")
        )
        return grouped.group_by(p.claim_id, p.practice_id, p.payer_id).subquery()

    def _returned(self, principal: Principal) -> Any:
        """Per claim and payer: what the payer has back, taken at the provider level (PLB WO or 72 naming the
        claim) or sent on its request (`payer_refunds`)."""
        pa, r, pr = provider_adjustments, remittances, payer_refunds
        taken = (
            select(pa.c.claim_id, r.c.payer_id, pa.c.amount)
            .select_from(pa.join(r, r.c.id == pa.c.remittance_id))
            .where(self.mine(principal.tenant_id, pa), pa.c.reason.in_(RECOVERIES), pa.c.amount > 0)
        )
        sent = select(pr.c.claim_id, pr.c.payer_id, pr.c.amount).where(self.mine(principal.tenant_id, pr))
        both = union_all(taken, sent).subquery()
        return (
            select(both.c.claim_id, both.c.payer_id, func.sum(both.c.amount).label("returned"))
            .group_by(both.c.claim_id, both.c.payer_id)
            .subquery()
        )
