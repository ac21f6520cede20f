"""What every outbound interchange shares: the clearinghouse as sender, the envelope and its control numbers."""

from dataclasses import dataclass
from datetime import datetime

from claimstream_platform.x12 import FunctionalGroup, Interchange, Segment, Transaction, write_interchange

CLEARINGHOUSE_ID = "CLAIMSTREAMSIM"
CLEARINGHOUSE_NAME = "CLAIMSTREAM CLEARINGHOUSE SIMULATOR"


@dataclass(frozen=True)
class Envelope:
    """Who the reply goes to and its control numbers."""

    receiver_qualifier: str
    receiver_id: str
    interchange_control: str
    group_control: str
    now: datetime


def interchange(
    functional_id: str,
    set_id: str,
    version: str,
    body: list[Segment],
    envelope: Envelope,
    *,
    implementation_in_st: bool = True,  # the 835 guide leaves ST03 unused
) -> str:
    group = FunctionalGroup(
        functional_id,
        CLEARINGHOUSE_ID,
        envelope.receiver_id,
        envelope.group_control,
        version,
        [Transaction(set_id, "0001", version if implementation_in_st else "", body)],
        date=envelope.now.strftime("%Y%m%d"),
        time=envelope.now.strftime("%H%M"),
    )
    interchange = Interchange(
        sender_qualifier="ZZ",
        sender_id=CLEARINGHOUSE_ID,
        receiver_qualifier=envelope.receiver_qualifier,
        receiver_id=envelope.receiver_id,
        control_number=envelope.interchange_control,
        groups=[group],
        usage="P",
    )
    return write_interchange(interchange, now=envelope.now)


def review_interchange(transactions: list[Transaction], envelope: Envelope) -> str:
    """278 responses, one transaction each, in one group."""
    return reply_interchange(transactions, envelope, "HI", "005010X217")


def reply_interchange(transactions: list[Transaction], envelope: Envelope, functional_id: str, guide: str) -> str:
    """Answers of one kind (278 responses, 277s), in one group."""
    day, time = envelope.now.strftime("%Y%m%d"), envelope.now.strftime("%H%M")
    group = FunctionalGroup(
        functional_id,
        CLEARINGHOUSE_ID,
        envelope.receiver_id,
        envelope.group_control,
        guide,
        transactions,
        date=day,
        time=time,
    )
    interchange = Interchange(
        "ZZ",
        CLEARINGHOUSE_ID,
        envelope.receiver_qualifier,
        envelope.receiver_id,
        envelope.interchange_control,
        [group],
        usage="P",
    )
    return write_interchange(interchange, now=envelope.now)
