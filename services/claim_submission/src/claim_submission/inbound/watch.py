"""The acknowledgment clock: a sent claim that has had no 277CA within the configured time raises an alert.

A claim can be lost between the clearinghouse and the payer, or sit behind a 999 nobody could apply. Nobody
notices until it is denied for timely filing. Each overdue claim gets one `ClaimAcknowledgmentOverdue` event and
appears in `GET /v1/claims?overdue=true`.
"""

from datetime import UTC, datetime, timedelta

from claim_submission.domain.states import AWAITING_ACCEPTANCE
from claim_submission.handlers import store
from claim_submission.repository import ClaimWork


async def flag_overdue(uow: ClaimWork, *, after: timedelta, now: datetime | None = None, limit: int = 500) -> int:
    """Raise the alert for claims waiting longer than `after`; returns how many. Commits."""
    now = now or datetime.now(UTC)
    async with uow:
        late = await uow.claims.awaiting_since(AWAITING_ACCEPTANCE, now - after, limit)
        for claim in late:
            claim.flag_overdue(now)
        await store(uow, late)
        await uow.commit()
    return len(late)
