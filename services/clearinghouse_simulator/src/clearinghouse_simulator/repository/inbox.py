"""The API's documents, member roster and claims (`uow.inbox`). Each read is scoped to the submitter, the token's
tenant: the simulator's tenant filter, written once (`SubmitterRepository`: `mine` for documents, `of` for members
and claims)."""

from datetime import date, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Row

from clearinghouse_simulator.repository.submitters import SubmitterRepository
from clearinghouse_simulator.tables import claims, documents, members


class Inbox(SubmitterRepository):
    table = documents

    async def waiting(self, submitter: UUID, kind: str | None, limit: int) -> list[Row[Any]]:
        """Documents not yet acknowledged, oldest first."""
        query = select(documents).where(self.mine(submitter), documents.c.acknowledged_at.is_(None))
        if kind:
            query = query.where(documents.c.kind == kind)
        return list((await self.session.execute(query.order_by(documents.c.id).limit(limit))).all())

    async def acknowledge(self, submitter: UUID, document_id: int) -> bool:
        """Out of the inbox (repeatable); False when the submitter has no such document."""
        found = await self.session.scalar(
            update(documents)
            .where(documents.c.id == document_id, self.mine(submitter))
            .values(acknowledged_at=func.coalesce(documents.c.acknowledged_at, func.now()))
            .returning(documents.c.id)
        )
        return found is not None

    async def remittances_around(self, submitter: UUID, day: date) -> list[str]:
        """The 835 files made in the days around `day` (its payments are dated that day or within three after)."""
        made = func.date(documents.c.created_at)
        query = select(documents.c.content).where(self.mine(submitter), documents.c.kind == "835")
        query = query.where(made >= day - timedelta(days=3), made <= day + timedelta(days=1))
        return list((await self.session.scalars(query.order_by(documents.c.id))).all())

    async def enroll(self, submitter: UUID, payer_id: str, values: dict[str, Any]) -> Row[Any]:
        """Enroll or update a member."""
        stored: Row[Any] = (
            await self.session.execute(
                insert(members)
                .values(submitter=submitter, payer_id=payer_id, **values)
                .on_conflict_do_update(index_elements=["submitter", "payer_id", "member_id"], set_=values)
                .returning(members)
            )
        ).one()
        return stored

    async def member(self, submitter: UUID, payer_id: str, member_id: str) -> Row[Any] | None:
        query = select(members).where(
            self.of(members, submitter), members.c.payer_id == payer_id, members.c.member_id == member_id
        )
        return (await self.session.execute(query)).one_or_none()

    async def claims_numbered(self, submitter: UUID, control_numbers: list[str]) -> dict[str, Row[Any]]:
        """The submitter's claims by our CLM01 (the newest of each), as a 276 names them."""
        query = select(claims).where(self.of(claims, submitter), claims.c.patient_control_number.in_(control_numbers))
        rows = (await self.session.execute(query.order_by(claims.c.received_on))).all()
        return {row.patient_control_number: row for row in rows}

    async def claim(self, submitter: UUID, payer_claim_number: str) -> Row[Any] | None:
        query = select(claims).where(self.of(claims, submitter), claims.c.payer_claim_number == payer_claim_number)
        return (await self.session.execute(query)).one_or_none()
