"""The payers' answers to 278 requests for review (005010X217), from each payer's profile. Pure.

A payer that does not know the member answers AAA 75 (subscriber not found), with no decision. Otherwise: no
authorization needed (HCR NA) when none of the codes needs one and the plan has no visit limit; not certified
(A3) when the coverage is not active on the first date asked, or for a code the plan does not pay; pended (A4,
additional information, 0U) the first time a payer that pends is asked, decided when asked again; else
certified: in total (A1) up to the payer's block of visits or units and 180 days, in part (A2) beyond them. The
reason codes of a denial are the simulator's own: NC (a service the plan does not cover), CE (coverage ended).
"""

from collections.abc import Callable
from datetime import date, timedelta

from claimstream_platform.x12.eligibility_model import Rejection
from claimstream_platform.x12.review_model import ReviewDecision, ReviewRequest

from clearinghouse_simulator.adjudication import Member
from clearinghouse_simulator.payers import PayerProfile

LONGEST_SPAN = timedelta(days=180)


def decide(request: ReviewRequest, payer: PayerProfile | None, member: Member | None, *, today: date,
           number: Callable[[], str], asked_before: bool) -> ReviewDecision:  # fmt: skip
    trace = request.trace
    if payer is None:
        return ReviewDecision(trace, "", rejections=(Rejection("payer", "79", "C", "N"),))  # invalid participant
    if member is None:
        return ReviewDecision(trace, "", rejections=(Rejection("subscriber", "75", "C", "N"),))
    start = request.start or today
    if not set(request.codes) & payer.prior_auth_codes and not payer.limit_extends_with_authorization:
        return ReviewDecision(trace, "NA")
    if not member.covered_on(start):
        return ReviewDecision(trace, "A3", reason="CE")
    if any(code not in payer.allowed for code in request.codes):
        return ReviewDecision(trace, "A3", reason="NC")
    if payer.pends_reviews and not asked_before:
        return ReviewDecision(trace, "A4", reason="0U")
    end = min(request.end or start + LONGEST_SPAN, start + LONGEST_SPAN)
    approved = min(request.quantity, payer.authorization_block)
    partial = approved < request.quantity or (request.end is not None and end < request.end)
    return ReviewDecision(trace, "A2" if partial else "A1", number(), quantity=approved,
                          quantity_kind=request.quantity_kind, start=start, end=end)  # fmt: skip
