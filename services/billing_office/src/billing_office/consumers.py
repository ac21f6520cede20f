"""The events the billing office consumes: the money each practice collected (remittance posting's payments,
reversals, PLB recoupments and interest, refunds to payers; patient billing's payments and refunds) and what
per-item fees count (claims sent, statements issued), and the 835s whose deposits the bank's files must show,
each mapped at the edge (handlers.py)."""

from collections.abc import Mapping

from claimstream_platform.contracts import IntegrationEvent
from claimstream_platform.contracts import patient_billing as patients
from claimstream_platform.contracts import remittance_posting as remittances
from claimstream_platform.contracts.claim_submission import ClaimSubmitted
from claimstream_platform.messaging.consumer import Batched, Handler

from billing_office import enrollment_work, handlers

SUBSCRIPTIONS: Mapping[type[IntegrationEvent], Handler | Batched] = {
    remittances.PaymentPosted: handlers.on_payment_posted,
    remittances.ProviderAdjustmentPosted: handlers.on_provider_adjustment,
    remittances.PayerRefundSent: handlers.on_payer_refund,
    remittances.RemittanceReceived: handlers.on_remittance_received,
    remittances.PayerSilent: enrollment_work.on_payer_silent,
    patients.PatientPaymentReceived: handlers.on_patient_payment,
    patients.PatientRefunded: handlers.on_patient_refund,
    patients.PatientRefundFailed: handlers.on_patient_refund_failed,
    patients.StatementIssued: handlers.on_statement_issued,
    ClaimSubmitted: handlers.on_claim_submitted,
}
