"""278 request for review and response: every public sample reads, our requests and responses read back as
written, each service is decided on its own (taking the event's decision and quantity only where it says none),
units are FL, and a bad value is refused with its segment and element."""

import re
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from claimstream_platform.x12 import (
    FunctionalGroup,
    Interchange,
    Segment,
    Transaction,
    X12Error,
    parse_interchange,
    write_interchange,
)
from claimstream_platform.x12.eligibility_model import Party, Rejection
from claimstream_platform.x12.review import (
    read_278_request,
    read_278_response,
    transaction_278_request,
    transaction_278_response,
)
from claimstream_platform.x12.review_model import QUANTITY_UNITS, ReviewDecision, ReviewRequest, ServiceDecision
from x12_corpus import CORPUS, MISSING

SAMPLES = (
    sorted(
        p
        for p in CORPUS.rglob("*")
        if p.is_file() and re.search(r"278", str(p.relative_to(CORPUS))) and p.suffix != ".csv"
    )
    if CORPUS.is_dir()
    else []
)
NOW = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
REQUEST = ReviewRequest(
    payer=Party("X3", "2", "SIMULATED MEDICAID", id_qualifier="PI", identifier="SIMMCD"),
    requester=Party("1P", "2", "CALM MINDS", id_qualifier="XX", identifier="1497758544"),
    subscriber=Party("IL", "1", "NUNEZ", "ZOE", "MI", "XJH123456789"),
    trace="A1B2C3",
    originator="1123456789",
    codes=("96130", "96131"),
    quantity=4,
    quantity_kind="FL",
    start=date(2026, 12, 1),
    end=date(2027, 2, 28),
    diagnoses=("F90.0", "F41.1"),
    birth_date=date(1990, 1, 2),
    certification="R",
    previous_authorization="AUTH77",
)


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
def test_a_service_has_its_own_decision_and_the_events_quantity_when_it_gives_none() -> None:
    path = next(p for p in SAMPLES if p.name == "admission-response-to-request-for-review.edi")
    interchange = parse_interchange(path.read_text())
    (decision,) = read_278_response(interchange.groups[0].transactions[0], interchange.delimiters)
    assert (decision.action, decision.authorization_number, decision.trace) == ("A6", "AUTH0002", "97021001")
    (service,) = decision.services
    assert (service.code, service.action, service.authorization_number) == ("33510", "A1", "AUTH0002")
    assert (service.quantity, service.quantity_kind, service.quantity_of_event) == (5, "DY", True)
    assert service.start == date(2005, 5, 16) and service.certified


@pytest.mark.skipif(not CORPUS.is_dir(), reason=MISSING)
def test_an_hsd_that_gives_no_quantity_gives_none_not_zero() -> None:
    path = next(p for p in SAMPLES if p.name == "response-to-medical-services-reservation.edi")
    interchange = parse_interchange(path.read_text())
    (decision,) = read_278_response(interchange.groups[0].transactions[0], interchange.delimiters)
    (service,) = decision.services  # HSD*****29*2: a pattern, no quantity
    assert (service.code, service.action, service.quantity) == ("99212", "A1", None)


def _response(*segments: Segment) -> Transaction:
    """A 278 response to REQUEST with the patient event and services given."""
    return Transaction(
        "278",
        "0009",
        "005010X217",
        [
            Segment.of("BHT", "0007", "11", "A1B2C3", "20261201", "0930"),
            Segment.of("HL", "1", "", "20", "1"),
            Segment.of("NM1", "X3", "2", "SIMULATED MEDICAID"),
            Segment.of("HL", "2", "1", "21", "1"),
            Segment.of("NM1", "1P", "2", "CALM MINDS"),
            Segment.of("HL", "3", "2", "22", "1"),
            Segment.of("NM1", "IL", "1", "NUNEZ"),
            Segment.of("HL", "4", "3", "EV", "1"),
            Segment.of("TRN", "2", "A1B2C3", "1123456789"),
            *segments,
        ],
    )


def _service(number: int, code: str, *segments: Segment) -> list[Segment]:
    return [Segment.of("HL", str(number), "4", "SS", "0"), *segments, Segment.of("SV1", ("HC", code))]


def test_two_services_with_two_decisions_read_as_two() -> None:
    """96130 certified for 2 units, 96131 not certified: each keeps its own; the event said "in part"."""
    transaction, delimiters = _round_trip(
        _response(
            Segment.of("HCR", "A2", "AUTH5"),
            *_service(5, "96130", Segment.of("HCR", "A1", "AUTH5"), Segment.of("HSD", "FL", "2")),
            *_service(6, "96131", Segment.of("HCR", "A3", "", "NC")),
        )
    )
    (decision,) = read_278_response(transaction, delimiters)  # type: ignore[arg-type]
    assert decision.action == "A2" and decision.quantity is None
    testing, more = decision.services
    assert (testing.code, testing.action, testing.quantity, testing.quantity_kind) == ("96130", "A1", 2, "FL")
    assert (more.code, more.action, more.reason, more.quantity, more.certified) == ("96131", "A3", "NC", None, False)
    assert QUANTITY_UNITS[testing.quantity_kind] == "units"


def test_an_approved_zero_stays_zero_and_a_service_without_hcr_or_hsd_takes_the_events() -> None:
    transaction, delimiters = _round_trip(
        _response(
            Segment.of("HCR", "A6", "AUTH6"),
            Segment.of("HSD", "UN", "3"),
            *_service(5, "96130", Segment.of("HSD", "FL", "0")),
            *_service(6, "96131"),
        )
    )
    (decision,) = read_278_response(transaction, delimiters)  # type: ignore[arg-type]
    zero, shared = decision.services
    assert (zero.action, zero.authorization_number, zero.quantity, zero.quantity_of_event) == ("A6", "AUTH6", 0, False)
    assert (shared.action, shared.quantity, shared.quantity_kind, shared.quantity_of_event) == ("A6", 3, "UN", True)
    assert QUANTITY_UNITS[shared.quantity_kind] == "units"  # UN read as units


def test_contact_the_payer_is_neither_denied_nor_certified() -> None:
    transaction, delimiters = _round_trip(_response(Segment.of("HCR", "CT", "", "0U"), *_service(5, "96130")))
    (decision,) = read_278_response(transaction, delimiters)  # type: ignore[arg-type]
    assert (decision.outcome, decision.certified) == ("contact", False)
    assert [(s.action, s.outcome) for s in decision.services] == [("CT", "contact")]
    assert replace(decision, action="ZZ").outcome == "unknown"


def test_our_request_reads_back_as_written_with_units_as_fl() -> None:
    text = _written(transaction_278_request(REQUEST, "0001", created=NOW))
    assert "HSD*FL*4~" in text and "HSD*UN" not in text  # the event asks for 4 units, its services share them
    transaction, delimiters = _round_trip(transaction_278_request(REQUEST, "0001", created=NOW))
    (read,) = read_278_request(transaction, delimiters)  # type: ignore[arg-type]
    assert read == replace(REQUEST, diagnoses=("F900", "F411"))  # HI carries no dots
    each = replace(REQUEST, quantity=8, quantities=(2, 6), quantity_kind="UN")  # UN asked: written as FL
    text = _written(transaction_278_request(each, "0001", created=NOW))
    assert "SV1*HC:96130**UN*2~HSD*FL*2~" in text and "SV1*HC:96131**UN*6~HSD*FL*6~" in text
    transaction, delimiters = _round_trip(transaction_278_request(each, "0001", created=NOW))
    (read,) = read_278_request(transaction, delimiters)  # type: ignore[arg-type]
    assert (read.quantity, read.quantity_kind, read.quantities) == (8, "FL", (2, 6))
    visits = replace(REQUEST, quantity_kind="VS", quantities=(4, None))
    text = _written(transaction_278_request(visits, "0001", created=NOW))
    assert "SV1*HC:96130~HSD*VS*4~" in text and "SV1*HC:96131~NM1*SJ" in text


def test_our_responses_read_back_certified_partial_pended_and_refused() -> None:
    cases = [
        ReviewDecision(
            "A1B2C3", "A1", "AUTH901", quantity=4, quantity_kind="FL", start=date(2026, 12, 1), end=date(2027, 2, 28)
        ),
        ReviewDecision(
            "A1B2C3", "A2", "AUTH902", quantity=2, quantity_kind="FL", start=date(2026, 12, 1), end=date(2027, 1, 31)
        ),
        ReviewDecision("A1B2C3", "A4", reason="0U"),
        ReviewDecision("A1B2C3", "A3", reason="35"),
    ]
    for decision in cases:  # decided by the event alone: every service takes its decision and shares its quantity
        transaction, delimiters = _round_trip(transaction_278_response(REQUEST, decision, "0002", created=NOW))
        (read,) = read_278_response(transaction, delimiters)  # type: ignore[arg-type]
        assert read == replace(decision, services=tuple(decision.for_code(code) for code in REQUEST.codes))
    refused = ReviewDecision("", "", rejections=(Rejection("subscriber", "75", "C", "N"),))
    transaction, delimiters = _round_trip(transaction_278_response(REQUEST, refused, "0003", created=NOW))
    assert read_278_response(transaction, delimiters) == [refused]  # type: ignore[arg-type]


def test_a_response_deciding_each_service_reads_back_as_written() -> None:
    span = {"start": date(2026, 12, 1), "end": date(2027, 2, 28)}
    decision = ReviewDecision(
        "A1B2C3",
        "A2",
        "AUTH903",
        **span,
        services=(  # type: ignore[arg-type]
            ServiceDecision("96130", "A1", "AUTH903", quantity=2, quantity_kind="FL", **span),  # type: ignore[arg-type]
            ServiceDecision("96131", "A3", reason="NC", **span),  # type: ignore[arg-type]
        ),
    )
    written = transaction_278_response(REQUEST, decision, "0004", created=NOW)
    assert "HCR*A3**NC~DTP*472*RD8*20261201-20270228~SV1*HC:96131~" in _written(written)
    transaction, delimiters = _round_trip(written)
    assert read_278_response(transaction, delimiters) == [decision]  # type: ignore[arg-type]


def _written(transaction: Transaction) -> str:
    group = FunctionalGroup("HI", "CS", "SIM", "1", "005010X217", [transaction], date="20261201", time="0930")
    text = write_interchange(Interchange("ZZ", "CS", "ZZ", "SIM", "000000001", [group], usage="T"), now=NOW)
    return text.replace("\n", "")


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
