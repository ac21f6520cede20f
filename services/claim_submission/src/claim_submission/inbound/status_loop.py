"""The claim status loop, across tenants: claims the payer accepted with no remittance after its usual time
(`status_inquiry_after_days`, a payer fact) get an inquiry, and every inquiry waiting (those a biller asked for
too) is sent as a 276 through the clearinghouse's real-time exchange, in the phases eligibility's checks use: the
276 written and stored in one transaction, sent with none open, the 277 recorded and acted on in another (the
claim's timeline, a claim the payer cannot find back to the work queue, the report for denial management and the
missing-ERA list). An outage leaves the inquiry for a pass after its lease; sent again byte for byte, the
clearinghouse answers it once."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from claimstream_platform.dates import business_date
from claimstream_platform.db import SessionFactory
from claimstream_platform.loops import PeriodicLoop
from claimstream_platform.payers import known_payers, payer_facts

from claim_submission.domain.states import ClaimStatus
from claim_submission.handlers import store
from claim_submission.inbound.claim_status import Asked, answer_of, inquiry_276
from claim_submission.outbound import submitters
from claim_submission.outbound.x837 import Submitter
from claim_submission.repository import ClaimWork

LEASE = timedelta(minutes=2)
BATCH = 20


class RealTime(Protocol):
    async def ask(self, interchange: str) -> list[str]: ...


class StatusInquiryLoop(PeriodicLoop):
    name = "claim-submission.status-inquiries"

    def __init__(
        self,
        sessionmaker: SessionFactory,
        clearinghouse: RealTime,
        asked: Asked,
        default: Submitter | None,
        *,
        interval: float,
    ) -> None:
        super().__init__(sessionmaker, interval)
        self._clearinghouse, self._asked, self._default = clearinghouse, asked, default

    async def run_once(self) -> None:
        await request_due(self._sessionmaker)
        for _ in range(BATCH):
            if not await self.ask_one():
                return

    async def ask_one(self) -> bool:
        """One waiting inquiry sent and its answer recorded; False when none waits."""
        async with ClaimWork(self._sessionmaker) as uow:
            inquiry = await uow.statuses.next_to_ask(LEASE)
            if inquiry is None:
                return False
            text = inquiry.inquiry or await self._written(uow, inquiry)
            await uow.statuses.asking(inquiry.id, text)
            await uow.commit()
        documents = await self._clearinghouse.ask(text)
        answer = answer_of(documents, inquiry.trace)
        async with ClaimWork(self._sessionmaker) as uow:
            if answer and answer.category.startswith("F") and await uow.statuses.is_remitted(inquiry.claim_id):
                answer = replace(answer, finding="remitted")  # finalized, and its remittance said it all
            await uow.statuses.answered(inquiry.id, answer)
            claim = await uow.claims.lock(inquiry.tenant_id, inquiry.claim_id)
            if answer is not None and claim is not None and claim.status == ClaimStatus.ACCEPTED:
                claim.status_reported(answer)
                await store(uow, [claim])
            await uow.commit()
        return True

    async def _written(self, uow: ClaimWork, inquiry: Any) -> str:
        claim = await uow.claims.lock(inquiry.tenant_id, inquiry.claim_id)
        assert claim is not None  # an inquiry's claim is never deleted
        own = (await submitters.of_tenants(uow, [claim.tenant_id])).get(claim.tenant_id) or self._default
        asked = self._asked if own is None else Asked(own.id, own.name, self._asked.receiver_id, self._asked.usage)
        control = await uow.statuses.next_control()
        pcn = claim.patient_control_number or ""
        return inquiry_276(claim.content, pcn, inquiry.trace, asked, control, datetime.now(UTC))


async def request_due(sessionmaker: SessionFactory) -> int:
    """Inquiries for the claims past their payer's time with no remittance: how many were asked for."""
    today, now = business_date(), datetime.now(UTC)
    days = {payer: payer_facts(payer, on=today).status_inquiry_after_days for payer in known_payers()}
    default = payer_facts("", on=today).status_inquiry_after_days
    shortest = timedelta(days=min([default, *days.values()]))
    async with ClaimWork(sessionmaker) as uow:
        claims = await uow.statuses.due(now - shortest, limit=200)
        due = [c for c in claims if _past(c.updated_at, now - timedelta(days=days.get(c.payer_id, default)))]
        for claim in due:
            await uow.statuses.request(claim)
        await uow.commit()
    return len(due)


def _past(moment: datetime | None, cutoff: datetime) -> bool:
    return moment is not None and moment < cutoff
