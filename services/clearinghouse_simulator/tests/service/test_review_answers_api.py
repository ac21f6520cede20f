"""The simulated payers' 278 answers through the API: a request pended then certified in blocks, refused for ended
coverage, and a member the payer does not know answered with AAA instead of a decision."""

from datetime import datetime

from claimstream_platform.x12 import FunctionalGroup, Interchange, parse_interchange, write_interchange
from claimstream_platform.x12.review import transaction_278_request
from claimstream_platform.x12.review_model import ReviewRequest
from httpx import AsyncClient
from test_clearinghouse_api import enroll, submit
from x12_samples import make_inquiry, review_request


async def test_a_278_is_pended_then_certified_in_blocks_and_refused_for_ended_coverage(
    client: AsyncClient, auth: dict[str, str]
) -> None:
    await enroll(client, auth, "SIMMCD")
    await enroll(client, auth, "SIMMCD", member_id="ENDED1", coverage_end="2026-01-31")
    first = (await submit(client, auth, make_inquiry("278", ["1EG4TE5MK73", "ENDED1"], control="302")))["responses"]
    assert [_decisions(text) for text in first] == [[("A4", "", "0U")], [("A3", "", "CE")]]  # Medicaid pends one
    again = await _ask(client, auth, review_request("1EG4TE5MK73", "T3020"), "304")  # the same request, later
    ((action, number, _),) = _decisions(again)
    assert action == "A1" and number.startswith("AUTH") and "HSD*VS*4~" in again
    await enroll(client, auth, "SIMBCX")  # asked for more than one block: certified in part
    partial = await _ask(client, auth, review_request("1EG4TE5MK73", "T3050", "SIMBCX", quantity=20), "305")
    assert [a for a, _, _ in _decisions(partial)] == ["A2"] and "HSD*VS*12~" in partial


async def _ask(client: AsyncClient, auth: dict[str, str], request: ReviewRequest, control: str) -> str:
    transaction = transaction_278_request(request, "0001", created=datetime(2026, 11, 27, 10, 0))
    group = FunctionalGroup("HI", "SUBMITTER1", "CLAIMSTREAMSIM", control, "005010X217", [transaction])
    text = write_interchange(Interchange("ZZ", "SUBMITTER1", "ZZ", "CLAIMSTREAMSIM", control, [group], usage="T"))
    (answer,) = (await submit(client, auth, text))["responses"]
    return str(answer)


def _decisions(answer: str) -> list[tuple[str, str, str]]:
    """HCR of each request's patient event."""
    found = []
    for transaction in (t for g in parse_interchange(answer).groups for t in g.transactions):
        hcr = next(s for s in transaction.segments if s.tag == "HCR")
        found.append((hcr.get(1), hcr.get(2), hcr.get(3)))
    return found


async def test_a_278_for_a_member_the_payer_does_not_know_gets_aaa_not_a_decision(
    client: AsyncClient, auth: dict[str, str]
) -> None:
    receipt = await submit(client, auth, make_inquiry("278", ["NOBODY"], control="303"))
    (answer,) = receipt["responses"]
    segments = [s for g in parse_interchange(answer).groups for t in g.transactions for s in t.segments]
    assert [s.elements for s in segments if s.tag == "AAA"] == [("N", "", "75", "C")]
    assert [s for s in segments if s.tag == "HCR"] == []
