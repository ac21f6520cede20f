"""A check asked and answered: stored, sent as a 270, the 271 read and summarized, the answer stored and its
events published, in the request's transaction (an outage of the clearinghouse changes nothing: 503)."""

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Protocol

from claimstream_platform.db import UnitOfWork
from claimstream_platform.x12 import X12Error

from eligibility.benefits import Summary, summarize
from eligibility.domain import Check
from eligibility.inquiry import answer_for, interchange_270
from eligibility.repository import checks as store


class Clearinghouse(Protocol):
    async def ask(self, interchange: str) -> list[str]: ...


@dataclass(frozen=True)
class Sender:
    """Who our 270s come from and go to (ISA06/ISA08), and ISA15."""

    sender_id: str
    receiver_id: str
    usage: str = "P"


async def run_check(uow: UnitOfWork, clearinghouse: Clearinghouse, sender: Sender, check: Check,
                    expected_charge: Decimal | None) -> Check:  # fmt: skip
    await store.insert(uow, check)
    control = await store.next_control(uow)
    text = interchange_270(check, sender_id=sender.sender_id, receiver_id=sender.receiver_id, control=control,
                           now=datetime.now(UTC), usage=sender.usage)  # fmt: skip
    documents = await clearinghouse.ask(text)
    try:
        summary = summarize(answer_for(check, documents), check.payer_id, expected_charge)
    except (X12Error, ValueError):  # the payer's answer cannot be read: the check failed, the reason is "271"
        summary = Summary("failed", check.payer_id, rejection="271", follow_up="R")
    for event in check.answered(summary):
        uow.publish(event)
    await store.answered(uow, check)
    return check
