"""X12 5010 at the envelope level: read an interchange into segments, write one with correct envelopes.

Transaction-specific meaning (999, 277CA, 835) lives in the services that own it; this package knows delimiters,
segments, ISA/GS/ST envelopes, their counts and control numbers, and the transactions two services both read and
write: the 837P (`p837`: claim submission and the simulator), the 270/271 (`eligibility`: eligibility and the
simulator) and the 276/277 (`status`: claim status, asked by claim submission and answered by the simulator).
Every reading error says where: the segment's position in the interchange, its tag and the element.
"""

from claimstream_platform.x12.envelope import (
    FunctionalGroup,
    Interchange,
    Transaction,
    X12Error,
    parse_interchange,
    write_interchange,
)
from claimstream_platform.x12.segments import Delimiters, Segment, amount

__all__ = [
    "Delimiters",
    "amount",
    "FunctionalGroup",
    "Interchange",
    "Segment",
    "Transaction",
    "X12Error",
    "parse_interchange",
    "write_interchange",
]
