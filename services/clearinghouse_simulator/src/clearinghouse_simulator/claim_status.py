"""The payer's claim status answers (276 in, 277 out, 005010X212), answered at once from the adjudication state:
a claim the payer does not have is A4 (not found); one it rejected at its front end A3; one accepted and not yet
adjudicated P1 (in process); one adjudicated and paid F1 (finalized, paid: the amount and the day it was paid), and
one adjudicated with nothing paid F2 (finalized, denied). A member remitted on paper gets no 835 for the claim,
so a paid claim's 277 is the only electronic word of its payment: what claimstream's status loop is for."""

from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from claimstream_platform.dates import business_date
from claimstream_platform.x12 import Interchange, Transaction, X12Error
from claimstream_platform.x12.p837 import SegmentError
from claimstream_platform.x12.status import IMPLEMENTATION, read_status, transaction_277
from claimstream_platform.x12.status_model import Status

from clearinghouse_simulator.acks import TransactionResult
from clearinghouse_simulator.outbound import Envelope, reply_interchange
from clearinghouse_simulator.repository import SimulatorWork


async def answered(
    uow: SimulatorWork, submitter: UUID, transaction: Transaction, interchange: Interchange, now: datetime
) -> tuple[TransactionResult, str | None]:
    """The 276's 999 result, and its 277 (stored in the inbox as well); an unreadable 276 gets a 999 error."""
    result = TransactionResult(
        "276", transaction.control_number, transaction.implementation, [], transaction.trailer_errors
    )
    try:
        asked = read_status(transaction, interchange.delimiters)
    except X12Error as error:
        errors = [SegmentError(error.tag, error.position - transaction.position + 1, "", "8")]
        return replace(result, errors=errors), None
    if not asked or transaction.trailer_errors:
        return result, None
    found = await uow.inbox.claims_numbered(submitter, [claim.patient_control_number for claim in asked])
    day = business_date(at=now)
    answers = [replace(claim, statuses=(status_of(found.get(claim.patient_control_number), day),)) for claim in asked]
    control = await uow.received.next_control()
    envelope = Envelope(interchange.sender_qualifier, interchange.sender_id, control, control, now)
    content = reply_interchange([transaction_277(answers, "0001", created=now)], envelope, "HN", IMPLEMENTATION)
    await uow.received.store_document(submitter, "277", content)
    return result, content


def status_of(claim: Any, today: Any) -> Status:
    if claim is None:
        return Status("A4", "35", "PR", effective=today)  # claim/encounter not found
    if claim.status == "rejected":
        return Status("A3", "21", "PR", effective=today)  # returned: missing or invalid information
    if claim.status != "adjudicated" or claim.adjudicated_at is None:
        return Status("P1", "20", "PR", effective=today)  # in process: accepted for processing
    paid_on = claim.adjudicated_at.date()
    paid = Decimal(claim.paid or 0)
    if paid > 0:
        return Status("F1", "65", "PR", effective=paid_on, charge=None, paid=paid, paid_on=paid_on)  # paid
    return Status("F2", "1", "PR", effective=paid_on, paid=Decimal(0))  # denied: the remittance says why
