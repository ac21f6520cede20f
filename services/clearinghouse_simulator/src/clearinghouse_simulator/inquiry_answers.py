"""A 270 answered at once: the 271 from the submitter's roster and the payer's profile, stored in the inbox as
well."""

from datetime import datetime
from uuid import UUID

from claimstream_platform.x12 import Interchange

from clearinghouse_simulator.inquiries import Inquiry, build_271
from clearinghouse_simulator.outbound import Envelope
from clearinghouse_simulator.payers import PayerBook
from clearinghouse_simulator.repository import SimulatorWork
from clearinghouse_simulator.settle import member_state


async def answer_270(
    uow: SimulatorWork,
    submitter: UUID,
    inquiries: list[Inquiry],
    interchange: Interchange,
    book: PayerBook,
    now: datetime,
) -> str:
    """A 271 for a 270; stored in the inbox as well."""
    enrolled = await uow.received.roster(submitter, ((i.payer_id, i.member_id) for i in inquiries))
    known = {key: member_state(row, now.year) for key, row in enrolled.items()}
    payer = book.payers.get(inquiries[0].payer_id)
    control = await uow.received.next_control()
    envelope = Envelope(interchange.sender_qualifier, interchange.sender_id, control, control, now)
    content = build_271(inquiries, payer=payer, member=lambda p, m: known.get((p, m)), envelope=envelope)
    await uow.received.store_document(submitter, "271", content)
    return content
