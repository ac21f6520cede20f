"""278 request for review and response: every public sample reads, our requests and responses read back as
written, a service's decision overrides the event's, and a bad value is refused with its segment and element."""

import re
from datetime import UTC, date, datetime

import pytest
from claimstream_platform.x12 import FunctionalGroup, Interchange, X12Error, parse_interchange, write_interchange
from claimstream_platform.x12.eligibility_model import Party, Rejection
from claimstream_platform.x12.review import (
    read_278_request,
    read_278_response,
    transaction_278_request,
    transaction_278_response,
)
from claimstream_platform.x12.review_model import ReviewDecision, ReviewRequest
from x12_corpus import CORPUS, MISSING

SAMPLES = sorted(p for p in CORPUS.rglob("*") if p.is_file() and re.search(r"278", str(p.relative_to(CORPUS)))
                 and p.suffix != ".csv") if CORPUS.is_dir() else []  # fmt: skip
NOW = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
REQUEST = ReviewRequest(
    payer=Party("X3", "2", "SIMULATED MEDICAID", id_qualifier="PI", identifier="SIMMCD"),
    requester=Party("1P", "2", "CALM MINDS", id_qualifier="XX", identifier="1497758544"),
    subscriber=Party("IL", "1", "NUNEZ", "ZOE", "MI", "XJH123456789"), trace="A1B2C3", originator="1123456789",
    codes=("96130", "96131"), quantity=4, quantity_kind="UN", start=date(2026, 12, 1), end=date(2027, 2, 28),
    diagnoses=("F90.0", "F41.1"), birth_date=date(1990, 1, 2), certification="R", previous_authorization="AUTH77",
)  # fmt: skip


def _round_trip(transaction: object) -> tuple[object, object]:
    group = FunctionalGroup("HI", "CS", "SIM", "1", "005010X217", [transaction], date="20261201", time="0930")  # type: ignore[list-item]
    text = write_interchange(Interchange("ZZ", "CS", "ZZ", "SIM", "000000001", [group], usage="T"), now=NOW)
    parsed = parse_interchange(text)
    return parsed.groups[0].transactions[0], parsed.delimiters


@pytest.mark.skipif(not CORPUS.is_dir(), reason=MISSING)
def test_every_public_278_reads_as_a_request_or_a_response() -> None:
    assert len(SAMPLES) >= 10
    actions = []
    for path in SAMPLES:
        interchange = parse_interchange(path.read_text(encoding="utf-8-sig", errors="replace"))
        for transaction in (t for g in interchange.groups for t in g.transactions):
            bht = next(s for s in transaction.segments if s.tag == "BHT")
            if bht.get(2) == "13":
                requests = read_278_request(transaction, interchange.delimiters)
                assert requests and all(r.subscriber.identifier for r in requests), path.name
            else:
                actions += [d.action for d in read_278_response(transaction, interchange.delimiters)]
    assert {"A1", "A4"} <= set(actions)


@pytest.mark.skipif(not CORPUS.is_dir(), reason=MISSING)
def test_a_services_decision_overrides_the_events() -> None:
    path = next(p for p in SAMPLES if p.name == "admission-response-to-request-for-review.edi")
    interchange = parse_interchange(path.read_text())
    (decision,) = read_278_response(interchange.groups[0].transactions[0], interchange.delimiters)
    assert (decision.action, decision.authorization_number, decision.trace) == ("A1", "AUTH0002", "97021001")
    assert decision.start == date(2005, 5, 16) and decision.certified


def test_our_request_reads_back_as_written() -> None:
    transaction, delimiters = _round_trip(transaction_278_request(REQUEST, "0001", created=NOW))
    (read,) = read_278_request(transaction, delimiters)  # type: ignore[arg-type]
    assert read == REQUEST.__class__(**{**vars(REQUEST), "diagnoses": ("F900", "F411")})  # HI carries no dots


def test_our_responses_read_back_certified_partial_pended_and_refused() -> None:
    cases = [
        ReviewDecision("A1B2C3", "A1", "AUTH901", quantity=4, quantity_kind="UN", start=date(2026, 12, 1),
                       end=date(2027, 2, 28)),
        ReviewDecision("A1B2C3", "A2", "AUTH902", quantity=2, quantity_kind="UN", start=date(2026, 12, 1),
                       end=date(2027, 1, 31)),
        ReviewDecision("A1B2C3", "A4", reason="0U"),
        ReviewDecision("A1B2C3", "A3", reason="35"),
    ]  # fmt: skip
    for decision in cases:
        transaction, delimiters = _round_trip(transaction_278_response(REQUEST, decision, "0002", created=NOW))
        assert read_278_response(transaction, delimiters) == [decision]  # type: ignore[arg-type]
    refused = ReviewDecision("", "", rejections=(Rejection("subscriber", "75", "C", "N"),))
    transaction, delimiters = _round_trip(transaction_278_response(REQUEST, refused, "0003", created=NOW))
    assert read_278_response(transaction, delimiters) == [refused]  # type: ignore[arg-type]


def test_a_date_that_is_no_date_is_refused_with_its_segment_and_element() -> None:
    transaction, delimiters = _round_trip(transaction_278_request(REQUEST, "0001", created=NOW))
    text = write_interchange(
        Interchange(
            "ZZ", "CS", "ZZ", "SIM", "000000001", [FunctionalGroup("HI", "CS", "SIM", "1", "005010X217", [transaction])]
        ),
        now=NOW,
    ).replace("20261201-20270228", "2026XX01-1", 1)  # type: ignore[list-item]
    broken = parse_interchange(text)
    with pytest.raises(X12Error, match=r"segment \d+ \(DTP\), element 3: '2026XX01' is not a CCYYMMDD date"):
        read_278_request(broken.groups[0].transactions[0], broken.delimiters)
