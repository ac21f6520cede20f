"""Our 270 for a check, as the interchange text sent to the clearinghouse, and the check's answer read from the
271s that come back. Pure."""

from datetime import datetime

from claimstream_platform.x12 import FunctionalGroup, Interchange, X12Error, parse_interchange, write_interchange
from claimstream_platform.x12.eligibility import IMPLEMENTATION, read_271, transaction_270
from claimstream_platform.x12.eligibility_model import Inquiry, Party, Response

from eligibility.domain import Check


def interchange_270(
    check: Check, *, sender_id: str, receiver_id: str, control: int, now: datetime, usage: str = "P"
) -> str:
    patient = check.patient
    inquiry = Inquiry(
        payer=Party("PR", "2", check.payer_id, id_qualifier="PI", identifier=check.payer_id),
        provider=Party("1P", "2", check.provider_name, id_qualifier="XX", identifier=check.provider_npi),
        subscriber=Party("IL", "1", patient.last_name, patient.first_name, "MI", check.member_id),
        trace=check.trace,
        originator=f"9{sender_id[:9]}",
        service_date=check.service_date,
        service_types=check.service_types,
        birth_date=patient.birth_date,
    )
    number = f"{control:09d}"
    transaction = transaction_270(inquiry, "0001", created=now)
    group = FunctionalGroup(
        "HS",
        sender_id,
        receiver_id,
        str(control),
        IMPLEMENTATION,
        [transaction],
        date=now.strftime("%Y%m%d"),
        time=now.strftime("%H%M"),
    )
    return write_interchange(Interchange("ZZ", sender_id, "ZZ", receiver_id, number, [group], usage=usage), now=now)


def answer_for(check: Check, documents: list[str]) -> Response:
    """The 271 loop that answers this check (its trace echoed), from the documents the clearinghouse returned.
    An unreadable 271 is an X12Error (segment, position and reason); no answer at all is a ValueError."""
    for text in documents:
        interchange = parse_interchange(text)
        for group in interchange.groups:
            for transaction in group.transactions:
                if transaction.set_id != "271":
                    continue
                responses = read_271(transaction, interchange.delimiters)
                found = [r for r in responses if r.trace == check.trace] or (responses if len(responses) == 1 else [])
                if found:
                    return found[0]
    raise ValueError("no 271 answered the inquiry")


__all__ = ["X12Error", "answer_for", "interchange_270"]
