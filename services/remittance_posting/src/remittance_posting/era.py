"""The 835 reader (005010X221A1): a file's interchanges and their transaction sets into remittances. Pure.

Delimiters come from the ISA (the platform's envelope parser); an interchange may hold several groups and
transaction sets (several payers or payees), each read loop by loop by `era_reader`. A malformed 835 raises
`X12Error` naming the segment, its position and the reason, and nothing of it is used. The remittance, claim and
line model is `model`.
"""

import re

from claimstream_platform.x12 import Interchange, X12Error, parse_interchange
from claimstream_platform.x12.envelope import collector_paused

from remittance_posting.era_reader import read_transaction
from remittance_posting.model import (
    Adjustment,
    ClaimPayment,
    ProviderAdjustment,
    Remittance,
    ServicePayment,
    payment_from_json,
    payment_to_json,
)

__all__ = [
    "Adjustment",
    "ClaimPayment",
    "ProviderAdjustment",
    "Remittance",
    "ServicePayment",
    "payment_from_json",
    "payment_to_json",
    "MAX_FILE_BYTES",
    "read_file",
    "read_remittances",
]

IMPLEMENTATION = "005010X221A1"
# The largest 835 read, however it comes (an upload, the clearinghouse inbox): a larger one is refused unread. A file
# of this size reads in well under a second and a few tens of MiB; ten times it, whole, took half a GiB.
MAX_FILE_BYTES = 5 * 1024 * 1024


def read_file(text: str) -> list[Remittance]:
    """Every 835 of every interchange in the file (a file may hold several, one after the other)."""
    with collector_paused():
        return [remittance for part in interchanges(text) for remittance in read_remittances(parse_interchange(part))]


def interchanges(text: str) -> list[str]:
    """The file cut before each ISA that follows a segment terminator (the first ISA names the delimiters)."""
    start = text.lstrip("\ufeff \r\n\t")
    if len(start) < 106 or not start.startswith("ISA"):
        return [start]
    terminator, element = re.escape(start[105]), re.escape(start[3])
    cuts = [m.end() for m in re.finditer(f"{terminator}\\s*(?=ISA{element})", start)]
    return [start[a:b] for a, b in zip([0, *cuts], [*cuts, len(start)], strict=True) if start[a:b].strip()]


def read_remittances(interchange: Interchange) -> list[Remittance]:
    """Every 835 in the interchange; X12Error for the first malformed one (then none of the file is used)."""
    found = []
    for group in interchange.groups:
        if group.trailer_errors:  # a group that does not close as it opened cannot be trusted to be whole
            reason = "the GE trailer does not close this functional group (count or control number)"
            raise X12Error(reason, position=group.position, tag="GS")
        for transaction in group.transactions:
            if transaction.set_id != "835":
                reason = f"transaction set {transaction.set_id} is not an 835"
                raise X12Error(reason, position=transaction.position, tag="ST", element=1)
            if transaction.trailer_errors:
                reason = "the SE trailer does not close this transaction set (count or control number)"
                raise X12Error(reason, position=transaction.position, tag="ST")
            found.append(read_transaction(transaction, interchange.delimiters))
    if not found:
        raise X12Error("the interchange holds no 835", position=1, tag="ISA")
    return found
