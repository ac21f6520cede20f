"""Writing and reading back the 837P in unit tests."""

from datetime import datetime
from typing import Any

from claim_submission.outbound.x837 import ClaimToSend, Party, Submitter, build_837
from claimstream_platform.x12 import parse_interchange
from claimstream_platform.x12.p837 import read_837

SUBMITTER = Submitter("HARBORBILL", "HARBOR BILLING CO", "EDI DESK", "5035550142", "edi@harbor.example")


RECEIVER = Party("CLAIMSTREAMSIM", "SIMULATOR")


NOW = datetime(2026, 11, 27, 10, 0)


def write(*items: ClaimToSend) -> str:
    return build_837(list(items), submitter=SUBMITTER, receiver=RECEIVER, control_number="42", now=NOW)


def read_back(text: str) -> list[Any]:
    interchange = parse_interchange(text)
    claims = []
    for transaction in interchange.groups[0].transactions:
        reading = read_837(transaction, interchange.delimiters)
        assert reading.errors == []
        claims += reading.claims
    return claims
