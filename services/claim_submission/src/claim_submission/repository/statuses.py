"""Claim status inquiries (`uow.statuses`): the claims due an inquiry (accepted, no remittance, not asked lately),
each inquiry from its request to the payer's answer, the claims a remittance reached, and the missing ERAs (a
payer that says it paid and sent us nothing). Reads for a request keep to the caller's tenant and practices."""

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from claimstream_platform.auth import Principal
from claimstream_platform.db import Repository
from claimstream_platform.many_rows import insert_many, skip_existing
from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.dialects.postgresql import distinct_on, insert

from claim_submission.domain.claim import Claim
from claim_submission.repository.claim_writes import claim_of
from claim_submission.tables import claims, interchange_numbers, remitted_claims, status_inquiries, status_watch

q, c, r = status_inquiries.c, claims.c, remitted_claims.c


class StatusInquiries(Repository):
    table = status_inquiries

    async def due(self, cutoff: datetime, limit: int) -> list[Claim]:
        """Claims accepted before `cutoff` (and since claims are watched) that no remittance reached, nobody asked
        about since `cutoff` and the payer has not finalized, oldest first (every tenant's: the loop's)."""
        remitted = exists().where(r.claim_id == c.id)
        asked = exists().where(q.claim_id == c.id, q.requested_at >= cutoff)
        finalized = exists().where(q.claim_id == c.id, q.category.like("F%"))  # the payer's last word is given
        watched = c.updated_at >= select(status_watch.c.since).scalar_subquery()
        where = [c.status == "accepted", c.updated_at < cutoff, watched, ~remitted, ~asked, ~finalized]
        query = select(claims).where(*where)
        rows = await self.session.execute(query.order_by(c.updated_at).limit(limit))
        return [claim_of(row) for row in rows]

    async def request(self, claim: Claim) -> UUID:
        """An inquiry to send (the loop sends it within its next pass); the one waiting when there is one."""
        waiting = select(q.id).where(q.claim_id == claim.id, q.answered_at.is_(None))
        found = await self.session.scalar(waiting)
        if found is not None:
            return UUID(str(found))
        inquiry_id = uuid4()
        row = {"id": inquiry_id, "tenant_id": claim.tenant_id, "practice_id": claim.practice_id, "claim_id": claim.id}
        await self.session.execute(insert(status_inquiries).values(row | {"trace": uuid4().hex[:30].upper()}))
        return inquiry_id

    async def next_to_ask(self, lease: timedelta) -> Any:
        """An inquiry not sent yet, or sent more than `lease` ago and not answered, locked (another replica skips
        it)."""
        stale = func.now() - lease
        waiting = or_(q.asked_at.is_(None), and_(q.answered_at.is_(None), q.asked_at < stale))
        query = select(status_inquiries).where(q.answered_at.is_(None), waiting).order_by(q.requested_at).limit(1)
        return (await self.session.execute(query.with_for_update(skip_locked=True))).first()

    async def asking(self, inquiry_id: UUID, text: str) -> None:
        values = {"inquiry": text, "asked_at": func.now()}
        await self.session.execute(update(status_inquiries).where(q.id == inquiry_id).values(values))

    async def answered(self, inquiry_id: UUID, answer: Any) -> None:
        """The payer's answer (None: no 277 answered it, recorded as answered without a status)."""
        values: dict[str, Any] = {"answered_at": func.now()}
        if answer is not None:
            fields = ("category", "code", "finding", "effective", "paid", "paid_on", "check_number")
            values |= {name: getattr(answer, name) for name in fields}
        await self.session.execute(update(status_inquiries).where(q.id == inquiry_id).values(values))

    async def next_control(self) -> int:
        number: int = await self.session.scalar(select(interchange_numbers.next_value()))  # type: ignore[assignment]
        return number

    async def remitted(self, tenant_id: UUID, claim_ids: Iterable[UUID]) -> None:
        """The claims whose ERAs came, in one statement."""
        rows = [{"claim_id": claim_id, "tenant_id": tenant_id} for claim_id in sorted(claim_ids)]
        await insert_many(self.session, remitted_claims, rows, on_conflict=skip_existing)

    async def is_remitted(self, claim_id: UUID) -> bool:
        return bool(await self.session.scalar(select(exists().where(r.claim_id == claim_id))))

    async def of_claim(self, principal: Principal, claim_id: UUID) -> Sequence[Any]:
        where = [*self.mine_in(principal.tenant_id, principal.practice_ids), q.claim_id == claim_id]
        query = select(status_inquiries).where(*where).order_by(q.requested_at.desc())
        return (await self.session.execute(query)).all()

    async def missing_eras(self, principal: Principal, limit: int = 200) -> Sequence[Any]:
        """Claims whose payer said it paid (F1) and whose remittance has not reached us."""
        remitted = exists().where(r.claim_id == q.claim_id)
        where = [*self.mine_in(principal.tenant_id, principal.practice_ids), q.finding == "paid_without_era", ~remitted]
        columns = [q.claim_id, q.paid, q.paid_on, q.check_number, q.answered_at, c.payer_id, c.patient_control_number]
        query = select(*columns).join(claims, c.id == q.claim_id).where(*where).ext(distinct_on(q.claim_id))
        latest = query.order_by(q.claim_id, q.answered_at.desc()).subquery()
        return (await self.session.execute(select(latest).order_by(latest.c.answered_at.desc()).limit(limit))).all()
