"""The simulated payers answer a 278 per service: two services, two decisions (certified in total up to the block,
in part beyond it, a code the plan does not pay not certified), each with its own HSD (FL units, VS visits);
codes that share the event's quantity are certified out of one block given at the event. What is written reads
back as decided."""

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

from claimstream_platform.x12 import FunctionalGroup, Interchange, parse_interchange, write_interchange
from claimstream_platform.x12.eligibility_model import Party
from claimstream_platform.x12.review import read_278_response, transaction_278_response
from claimstream_platform.x12.review_model import ReviewDecision, ReviewRequest
from clearinghouse_simulator.payers import shipped
from clearinghouse_simulator.results import Member
from clearinghouse_simulator.reviews import decide

MEDICAID = shipped().payers["SIMMCD"]  # grants blocks of 10; pays 96130 and 96131, not 96132
MEMBER = Member(date(2026, 1, 1), None, Decimal(0), Decimal(0), Decimal(0), Decimal(3), 0)
START, END = date(2026, 12, 1), date(2027, 2, 28)
TESTING = ReviewRequest(
    payer=Party("X3", "2", "MEDICAID", id_qualifier="PI", identifier="SIMMCD"),
    requester=Party("1P", "2", "CALM MINDS", id_qualifier="XX", identifier="1497758544"),
    subscriber=Party("IL", "1", "NUNEZ", "ZOE", "MI", "XJH123456789"),
    trace="T1",
    originator="9CLAIMSTRM",
    codes=("96130", "96131"),
    quantity=14,
    quantity_kind="FL",
    start=START,
    end=END,
    quantities=(2, 12),
)


def answer(request: ReviewRequest) -> ReviewDecision:
    return decide(request, MEDICAID, MEMBER, today=START, number=lambda: "AUTH42", asked_before=True)


def written_and_read(request: ReviewRequest, decision: ReviewDecision) -> tuple[str, ReviewDecision]:
    transaction = transaction_278_response(request, decision, "0001", created=datetime(2026, 12, 1, tzinfo=UTC))
    group = FunctionalGroup("HI", "SIM", "CS", "1", "005010X217", [transaction])
    text = write_interchange(Interchange("ZZ", "SIM", "ZZ", "CS", "000000001", [group]))
    parsed = parse_interchange(text)
    (read,) = read_278_response(parsed.groups[0].transactions[0], parsed.delimiters)
    return text.replace("\n", ""), read


def test_two_services_get_two_decisions_each_with_its_own_units() -> None:
    decision = answer(TESTING)
    assert (decision.action, decision.authorization_number, decision.quantity) == ("A2", "AUTH42", None)
    assert [(s.code, s.action, s.quantity, s.quantity_kind) for s in decision.services] == [
        ("96130", "A1", 2, "FL"),
        ("96131", "A2", 10, "FL"),
    ]
    text, read = written_and_read(TESTING, decision)
    assert "HCR*A1*AUTH42~DTP*472*RD8*20261201-20270228~SV1*HC:96130~HSD*FL*2~" in text
    assert "HCR*A2*AUTH42~DTP*472*RD8*20261201-20270228~SV1*HC:96131~HSD*FL*10~" in text
    assert read == decision


def test_a_code_the_plan_does_not_pay_is_refused_while_the_other_is_certified_in_visits() -> None:
    visits = replace(TESTING, codes=("96130", "96132"), quantity=4, quantities=(2, 2), quantity_kind="VS")
    decision = answer(visits)
    assert [(s.code, s.action, s.reason, s.quantity) for s in decision.services] == [
        ("96130", "A1", "", 2),
        ("96132", "A3", "NC", None),
    ]
    text, read = written_and_read(visits, decision)
    assert "SV1*HC:96130~HSD*VS*2~" in text and "HCR*A3**NC~" in text and read == decision
    refused = answer(replace(visits, codes=("96132",), quantities=()))
    assert (refused.action, refused.reason, refused.services) == ("A3", "NC", ())


def test_codes_that_share_the_events_quantity_are_certified_out_of_one_block() -> None:
    pooled = replace(TESTING, quantity=14, quantities=())
    decision = answer(pooled)
    assert (decision.action, decision.quantity, decision.quantity_kind) == ("A2", 10, "FL")
    assert [(s.action, s.quantity, s.quantity_of_event) for s in decision.services] == [("A2", 10, True)] * 2
    text, read = written_and_read(pooled, decision)
    assert text.count("HSD*") == 1 and "HSD*FL*10~" in text and read == decision
    pended = decide(pooled, MEDICAID, MEMBER, today=START, number=lambda: "AUTH43", asked_before=False)
    assert (pended.action, pended.reason) == ("A4", "0U")
