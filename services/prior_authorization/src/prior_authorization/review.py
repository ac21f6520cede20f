"""Our 278 request for an authorization, as the interchange text sent to the clearinghouse, and the payer's
decision read from the 278 responses that come back. Pure."""

from datetime import datetime

from claimstream_platform.x12 import FunctionalGroup, Interchange, parse_interchange, write_interchange
from claimstream_platform.x12.eligibility_model import Party
from claimstream_platform.x12.review import IMPLEMENTATION, read_278_response, transaction_278_request
from claimstream_platform.x12.review_model import UNITS, VISITS, ReviewDecision, ReviewRequest

from prior_authorization.domain import Authorization


def request_of(authorization: Authorization, *, sender_id: str) -> ReviewRequest:
    """The 278 request: the event asks for the whole; a code on a line of its own asks its own quantity too
    (HSD*FL units, HSD*VS visits), codes asked together share the event's."""
    a, patient = authorization, authorization.patient
    own = {line.codes[0]: line.requested for line in a.lines if len(line.codes) == 1}
    return ReviewRequest(
        payer=Party("X3", "2", a.payer_id, id_qualifier="PI", identifier=a.payer_id),
        requester=Party("1P", "2", a.provider_name, id_qualifier="XX", identifier=a.provider_npi),
        subscriber=Party("IL", "1", patient.last_name, patient.first_name, "MI", a.member_id),
        trace=a.trace,
        originator=f"9{sender_id[:9]}",
        codes=a.codes,
        quantity=a.requested,
        quantity_kind=VISITS if a.unit == "visits" else UNITS,
        start=a.start,
        end=a.end,
        certification=a.certification,
        diagnoses=a.diagnoses,
        birth_date=patient.birth_date,
        previous_authorization=a.previous_number,
        quantities=tuple(own.get(code) for code in a.codes) if own else (),
    )


def interchange_278(
    authorization: Authorization, *, sender_id: str, receiver_id: str, control: int, now: datetime, usage: str = "P"
) -> str:
    transaction = transaction_278_request(request_of(authorization, sender_id=sender_id), "0001", created=now)
    group = FunctionalGroup(
        "HI",
        sender_id,
        receiver_id,
        str(control),
        IMPLEMENTATION,
        [transaction],
        date=now.strftime("%Y%m%d"),
        time=now.strftime("%H%M"),
    )
    return write_interchange(
        Interchange("ZZ", sender_id, "ZZ", receiver_id, f"{control:09d}", [group], usage=usage), now=now
    )


def decision_for(authorization: Authorization, documents: list[str]) -> ReviewDecision:
    """The decision that answers this request (its trace echoed), from the documents the clearinghouse returned.
    An unreadable response is an X12Error (segment, position and reason); no answer at all is a ValueError."""
    for text in documents:
        interchange = parse_interchange(text)
        for transaction in (t for g in interchange.groups for t in g.transactions if t.set_id == "278"):
            decisions = read_278_response(transaction, interchange.delimiters)
            found = [d for d in decisions if d.trace == authorization.trace] or (
                decisions if len(decisions) == 1 else []
            )
            if found:
                return found[0]
    raise ValueError("no 278 response answered the request")
