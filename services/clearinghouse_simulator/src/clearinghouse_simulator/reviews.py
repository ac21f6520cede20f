"""The payers' answers to 278 requests for review (005010X217), from each payer's profile, each service (2000F)
decided on its own. Pure.

A payer that does not know the member answers AAA 75 (subscriber not found), with no decision. Otherwise: no
authorization needed (HCR NA) when none of the codes needs one and the plan has no visit limit; not certified
(A3) when the coverage is not active on the first date asked, or when the plan pays none of the codes; pended (A4,
additional information, 0U) the first time a payer that pends is asked, decided when asked again. Then each
service: a code the plan does not pay is not certified (A3 NC) while the others are decided; a service asked with
its own quantity is certified in total (A1) up to the payer's block of visits or units and 180 days, in part (A2)
beyond them, with its own HSD (FL units, VS visits); services that share the event's quantity are certified out
of one block given once, at the event. The event says A1 when every service is certified in total, A3 when none is
certified, else A2. The reason codes of a denial are the simulator's own: NC (a service the plan does not cover),
CE (coverage ended).
"""

from collections.abc import Callable
from datetime import date, timedelta

from claimstream_platform.x12.eligibility_model import Rejection
from claimstream_platform.x12.review_model import IN_TOTAL, ReviewDecision, ReviewRequest, ServiceDecision, hsd_kind

from clearinghouse_simulator.payers import PayerProfile
from clearinghouse_simulator.results import Member

LONGEST_SPAN = timedelta(days=180)


def decide(
    request: ReviewRequest,
    payer: PayerProfile | None,
    member: Member | None,
    *,
    today: date,
    number: Callable[[], str],
    asked_before: bool,
) -> ReviewDecision:
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
    if not any(code in payer.allowed for code in request.codes):
        return ReviewDecision(trace, "A3", reason="NC")
    if payer.pends_reviews and not asked_before:
        return ReviewDecision(trace, "A4", reason="0U")
    return _certified(request, payer, start, number())


def _certified(request: ReviewRequest, payer: PayerProfile, start: date, number: str) -> ReviewDecision:
    """Each service decided (some may be refused); the event's decision from theirs, its HSD the shared block."""
    end = min(request.end or start + LONGEST_SPAN, start + LONGEST_SPAN)
    shortened = request.end is not None and end < request.end
    kind = hsd_kind(request.quantity_kind)
    shared = min(request.quantity, payer.authorization_block)
    services = []
    for index, code in enumerate(request.codes):
        own = request.quantity_of(index)
        if code not in payer.allowed:
            services.append(ServiceDecision(code, "A3", reason="NC", start=start, end=end))
            continue
        asked, granted = (own, min(own, payer.authorization_block)) if own is not None else (request.quantity, shared)
        action = "A2" if granted < asked or shortened else IN_TOTAL
        services.append(
            ServiceDecision(
                code,
                action,
                number,
                quantity=granted,
                quantity_kind=kind,
                start=start,
                end=end,
                quantity_of_event=own is None,
            )
        )
    actions = {service.action for service in services}
    event = IN_TOTAL if actions == {IN_TOTAL} else "A2"
    sharing = any(service.quantity_of_event for service in services)
    return ReviewDecision(
        request.trace,
        event,
        number,
        quantity=shared if sharing else None,
        quantity_kind=kind if sharing else "",
        start=start,
        end=end,
        services=tuple(services),
    )
