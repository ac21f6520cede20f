"""Card refunds sent to the payment processor, across tenants, one per transaction: the row is locked (another
replica skips it), the processor asked with the refund's id as its Idempotency-Key (a refund sent again after a
crash is the same refund), the row marked sent. The processor's webhook says when the money went back
(card_payments.refund_settled); a refusal gives the amount back to the account as credit."""

from claimstream_platform.db import SessionFactory
from claimstream_platform.errors import TransientError
from claimstream_platform.loops import PeriodicLoop

from patient_billing.card_payments import refund_settled
from patient_billing.processor import Declined, ProcessorClient
from patient_billing.repository import PatientBillingWork


class RefundLoop(PeriodicLoop):
    name = "patient-billing.refunds"

    def __init__(self, sessionmaker: SessionFactory, *, processor: ProcessorClient, interval: float) -> None:
        super().__init__(sessionmaker, interval)
        self._processor = processor

    async def run_once(self) -> None:
        while await self.send_one():
            pass

    async def send_one(self) -> bool:
        async with PatientBillingWork(self._sessionmaker) as uow:
            waiting = await uow.online.refunds_to_send(1)
            if not waiting:
                return False
            refund = waiting[0]
            metadata = {"refund_id": str(refund.id), "tenant_id": str(refund.tenant_id)}
            try:
                sent = await self._processor.refund(refund.intent_id, refund.amount, str(refund.id), metadata)
            except TransientError:
                return False  # the processor is away: the next pass asks again
            except Declined:
                await refund_settled(uow, refund.id, "", refunded=False)
            else:
                await uow.online.refund_moved(refund.id, "sent", sent["id"], only_from="requested")
            await uow.commit()
        return True
