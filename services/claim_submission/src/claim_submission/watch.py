"""The acknowledgment clock: a sent claim that has had no 277CA within the configured time raises an alert.

A claim can be lost between the clearinghouse and the payer, or sit behind a 999 nobody could apply. Nobody
notices until it is denied for timely filing. Each overdue claim gets one `ClaimAcknowledgmentOverdue` event and
appears in `GET /v1/claims?overdue=true`.
"""

from datetime import UTC, datetime, timedelta

from claimstream_platform.contracts import claim_submission as events
from claimstream_platform.db import UnitOfWork
from sqlalchemy import bindparam, select, update

from claim_submission.moves import event_identity
from claim_submission.tables import claims

AWAITING = ("submitting", "submitted", "acknowledged", "received")  # no payer acceptance yet


async def flag_overdue(uow: UnitOfWork, *, after: timedelta, now: datetime | None = None, limit: int = 500) -> int:
    """Raise the alert for claims waiting longer than `after`; returns how many. Commits."""
    now = now or datetime.now(UTC)
    async with uow:
        late = (
            await uow.session.execute(
                select(claims)
                .where(claims.c.status.in_(AWAITING), claims.c.overdue_at.is_(None), claims.c.updated_at < now - after)
                .order_by(claims.c.updated_at)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        ).all()
        if late:
            await uow.session.execute(
                update(claims).where(claims.c.id == bindparam("claim_id")).values(overdue_at=now),
                [{"claim_id": claim.id} for claim in late],
            )
        for claim in late:
            uow.publish(
                events.ClaimAcknowledgmentOverdue(
                    **event_identity(claim), status=claim.status, waiting_since=claim.updated_at
                )
            )
        await uow.commit()
    return len(late)
