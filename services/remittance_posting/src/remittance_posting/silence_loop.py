"""Payer silence: a payer that has accepted claims and sent no payment for them for `days` days is reported,
once (a `PayerSilent` event, recorded by the `PayerSilence` aggregate, and an entry in `GET /v1/payer-silence`)
until a payment from it arrives. Its days are business dates (`claimstream_platform.dates`), as every date posting
names."""

from datetime import UTC, datetime, timedelta

from claimstream_platform.dates import business_date
from claimstream_platform.db import SessionFactory
from claimstream_platform.loops import PeriodicLoop

from remittance_posting.repository import PostingWork
from remittance_posting.silence import PayerSilence


async def report_silent_payers(uow: PostingWork, *, days: float, now: datetime | None = None) -> int:
    """Report every newly silent payer; returns how many. In the caller's transaction."""
    before = (now or datetime.now(UTC)) - timedelta(days=days)
    reported = 0
    for row in await uow.variance.silent_payers(before):
        last = business_date(at=row.last_payment) if row.last_payment else None
        silence = PayerSilence(row.tenant_id, row.payer_id, row.claims_waiting, business_date(at=row.oldest), last)
        if await uow.variance.open_silence(silence):
            silence.report()
            uow.publish_recorded(silence)
            reported += 1
    return reported


class SilenceLoop(PeriodicLoop):
    name = "remittance-posting.payer-silence"

    def __init__(self, sessionmaker: SessionFactory, *, days: float, interval: float) -> None:
        super().__init__(sessionmaker, interval)
        self._days = days

    async def run_once(self) -> None:
        async with PostingWork(self._sessionmaker) as uow:
            await report_silent_payers(uow, days=self._days)
            await uow.commit()
