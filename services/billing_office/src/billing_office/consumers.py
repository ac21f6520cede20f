"""The events the billing office consumes: the money each practice collected (remittance posting's payments,
reversals, PLB recoupments and interest, refunds to payers; patient billing's payments and refunds) and what
per-item fees count (claims sent, statements issued), and the 835s whose deposits the bank's files must show,
each mapped at the edge (handlers.py)."""

from collections.abc import Mapping

from claimstream_platform.contracts import IntegrationEvent
from claimstream_platform.contracts import remittance_posting as remittances
from claimstream_platform.messaging.consumer import Batched, Handler, batched

from billing_office import enrollment_work, handlers

# The money collected and the items counted: a run of each in one statement (a few rows an encounter, each a
# statement of its own before).
_MONEY = batched(handlers.on_money_moved)
_ITEMS = batched(handlers.on_items_counted)
SUBSCRIPTIONS: Mapping[type[IntegrationEvent], Handler | Batched] = {
    **dict.fromkeys(handlers.COLLECTED, _MONEY),
    **dict.fromkeys(handlers.COUNTED, _ITEMS),
    remittances.RemittanceReceived: handlers.on_remittance_received,
    remittances.PayerSilent: enrollment_work.on_payer_silent,
}
