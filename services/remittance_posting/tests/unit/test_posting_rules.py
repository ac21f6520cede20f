"""Outcomes read from what each adjustment means, line matching and the events a claim payment causes. Pure."""

from datetime import date
from decimal import Decimal
from uuid import uuid4

from claimstream_platform.contracts.remittance_posting import ClaimDenied, ClaimReversed
from remittance_posting.domain import from_another_payer, outcome, posting_events
from remittance_posting.era import read_file
from remittance_posting.known import KnownClaim, KnownLine
from remittance_posting.matching import match_lines
from remittance_posting.model import ClaimPayment
from remittance_testkit import NOW, PRACTICE, TENANT, Line, Payment, era

DAY = date(2026, 11, 20)
D = Decimal


def _known(*lines: tuple[str, tuple[str, ...]], payer: str = "SIMCOM") -> KnownClaim:
    known = tuple(KnownLine(n, code, mods, D("100"), f"CS1-{n}") for n, (code, mods) in enumerate(lines, 1))
    return KnownClaim(uuid4(), TENANT, PRACTICE, "CS1", payer, None, known, NOW.date())


def _payment(*lines: Line, **changes: object) -> ClaimPayment:
    (remittance,) = read_file(era(Payment("CS1", lines=list(lines), **changes)))  # type: ignore[arg-type]
    return remittance.claims[0]


def _adjusted(*adjustments: tuple[str, str, str], charge: str = "180", code: str = "90837") -> Line:
    modifiers = ("95",) if code == "90837" else ()
    return Line(code=code, modifiers=modifiers, charge=D(charge), adjustments=[(g, r, D(a)) for g, r, a in adjustments])


def _denials(payment: ClaimPayment, claim: KnownClaim, payer: str = "SIMCOM") -> list[ClaimDenied]:
    _, more = posting_events(uuid4(), DAY, payment, claim, era_payer_id=payer)
    return [event for event in more if isinstance(event, ClaimDenied)]


def test_outcomes_follow_the_adjustment_classes_not_a_zero_payment() -> None:
    assert outcome(_payment(Line()), DAY) == "paid"  # CO-45 contractual only
    assert outcome(_payment(_adjusted(("CO", "45", "40"), ("CO", "253", "2"))), DAY) == "paid"  # sequestration
    assert outcome(_payment(_adjusted(("CO", "197", "180"))), DAY) == "denied"
    assert outcome(_payment(_adjusted(("PR", "1", "180"))), DAY) == "paid"  # the deductible: allowed, not denied
    assert outcome(_payment(_adjusted(("CO", "45", "80"), ("PR", "1", "100"))), DAY) == "paid"  # nothing paid
    assert outcome(_payment(_adjusted(("CO", "45", "40"), ("CO", "97", "140"))), DAY) == "denied"
    assert outcome(_payment(Line(), status="22"), DAY) == "reversed"


def test_a_deductible_only_claim_opens_no_denial() -> None:
    claim = _known(("90837", ("95",)))
    payment = _payment(_adjusted(("CO", "45", "80"), ("PR", "1", "100")))
    posted, more = posting_events(uuid4(), DAY, payment, claim, era_payer_id="SIMCOM")
    assert (posted.outcome, posted.paid, more) == ("paid", D(0), [])
    assert [a.adjustment_class for a in posted.adjustments] == ["contractual", "patient_cost_share"]


def test_a_paid_claim_with_one_denied_line_denies_exactly_that_line_and_amount() -> None:
    claim = _known(("90837", ("95",)), ("90785", ()), ("90839", ()))
    payment = _payment(
        Line(),
        Line(code="90785", modifiers=(), charge=D("30"), adjustments=[("PR", "1", D("30"))]),  # deductible
        Line(code="90839", modifiers=(), charge=D("50"), adjustments=[("CO", "97", D("50"))], remarks=("M80",)),
    )
    posted, more = posting_events(uuid4(), DAY, payment, claim, era_payer_id="SIMCOM")
    (denied,) = more
    assert posted.outcome == "partially_paid"
    assert isinstance(denied, ClaimDenied) and (denied.level, denied.line_number) == ("line", 3)
    assert (denied.amount, denied.remarks, denied.paid_on) == (D("50"), ["M80"], DAY)


def test_a_line_denial_is_only_its_denied_part() -> None:
    claim = _known(("90837", ("95",)))
    payment = _payment(_adjusted(("CO", "45", "40"), ("CO", "50", "60"), ("PR", "2", "16")))
    (denied,) = _denials(payment, claim)
    assert denied.amount == D("60")  # not the line's charge: its contractual part and the coinsurance are settled


def test_a_crossovers_own_denials_and_adjustments_stand() -> None:
    """CLP02 19: processed as primary and forwarded; only billing the next payer by hand is left out."""
    claim = _known(("90837", ("95",)), ("90834", ()), payer="SIMMCR")
    payment = _payment(Line(), _adjusted(("CO", "50", "150"), charge="150", code="90834"), status="19")
    posted, more = posting_events(uuid4(), DAY, payment, claim, era_payer_id="SIMMCR")
    assert (posted.outcome, posted.forwarded) == ("partially_paid", True)
    (denied,) = more
    assert isinstance(denied, ClaimDenied) and (denied.line_number, denied.amount) == (2, D("150"))


def test_a_crossover_payers_zero_with_the_prior_payers_share_is_no_denial() -> None:
    claim = _known(("90837", ("95",)), payer="SIMMCR")
    by_medicaid = _payment(_adjusted(("OA", "23", "180")), status="2", payer_claim_number="MCD1")
    posted, more = posting_events(uuid4(), DAY, by_medicaid, claim, era_payer_id="SIMMCD")
    assert (posted.payer_id, posted.outcome, more) == ("SIMMCD", "paid", [])


def test_incentive_and_penalty_adjustments_are_no_denials_even_negative() -> None:
    claim = _known(("90837", ("95",)))
    bonus = _payment(_adjusted(("CO", "45", "40"), ("CO", "144", "-5")))
    penalty = _payment(_adjusted(("CO", "45", "40"), ("CO", "237", "3"), ("CO", "131", "7")))
    assert [outcome(p, DAY) for p in (bonus, penalty)] == ["paid", "paid"]
    assert _denials(bonus, claim) == [] and _denials(penalty, claim) == []


def test_lines_match_by_control_number_then_modifiers_in_any_order_then_dropped_then_billed_code() -> None:
    claim = _known(("90837", ("95", "HO")), ("90785", ()), ("96130", ()), ("90834", ("95",)))
    paid = _payment(
        Line(code="90834", modifiers=("95",), control_number="CS1-4"),  # by REF*6R
        Line(code="90837", modifiers=("HO", "95")),  # reordered
        Line(code="96130", modifiers=()),
        Line(code="90832", modifiers=(), billed=("90785",)),  # paid as another code: SVC06 names ours
    )
    assert match_lines(paid.lines, claim) == [4, 1, 3, 2]


def test_a_modifier_the_payer_did_not_echo_still_matches() -> None:
    claim = _known(("90837", ("95", "HO")))
    assert match_lines(_payment(Line(modifiers=("95",))).lines, claim) == [1]


def test_a_reversal_announces_the_amount_taken_back() -> None:
    claim = _known(("90837", ("95",)))
    reversal = _payment(Line(charge=D("-180"), adjustments=[("CO", "45", D("-40"))]), status="22")
    posted, (reversed_,) = posting_events(uuid4(), DAY, reversal, claim, era_payer_id="SIMCOM")
    assert posted.outcome == "reversed" and isinstance(reversed_, ClaimReversed)
    assert reversed_.amount == D("140")


def test_an_allowed_amount_within_the_tolerance_is_no_underpayment_and_a_denied_line_no_variance() -> None:
    from remittance_posting.variance import TOLERANCE, rate_key, variances

    claim = _known(("90837", ("95",)), ("90785", ()))
    rates = {rate_key("90837", ()): D("140.50"), rate_key("90785", ()): D("30")}
    payment = _payment(Line(), Line(code="90785", modifiers=(), charge=D("30"), adjustments=[("CO", "97", D("30"))]))
    assert variances(payment, claim, "partially_paid", rates, TOLERANCE) == []  # 140 allowed against 140.50
    contract = {**rates, rate_key("90837", ("95",)): D("145")}
    (underpaid,) = variances(payment, claim, "partially_paid", contract, TOLERANCE)
    assert (underpaid.kind, underpaid.expected, underpaid.difference) == ("underpaid", D("145"), D("5"))


def test_who_paid_is_decided_by_the_835s_payer_id_not_by_clp02_alone() -> None:
    claim = _known(("90837", ("95",)), payer="SIMMCR")
    by_crossover = _payment(Line(), status="2")
    assert from_another_payer(by_crossover, claim, "SIMMCD")
    reversal_by_crossover = _payment(Line(charge=D("-180"), adjustments=[("CO", "45", D("-40"))]), status="22")
    assert from_another_payer(reversal_by_crossover, claim, "SIMMCD")  # a crossover payer's reversal is its own
    assert not from_another_payer(_payment(Line(), status="19"), claim, "SIMMCR")  # the primary, forwarding it
    posted, _ = posting_events(uuid4(), DAY, reversal_by_crossover, claim, era_payer_id="SIMMCD")
    assert posted.payer_id == "SIMMCD"


def test_without_a_payer_id_clp02_tells_a_later_payer_from_the_billed_one() -> None:
    claim = _known(("90837", ("95",)))
    assert from_another_payer(_payment(Line(), status="2"), claim, "")
    assert not from_another_payer(_payment(Line(), status="1"), claim, "")
    secondary_claim = KnownClaim(**{**claim.__dict__, "responsibility": "secondary"})
    assert not from_another_payer(_payment(Line(), status="2"), secondary_claim, "")


def test_a_denied_claim_carries_its_lines_remarks_too() -> None:
    claim = _known(("90837", ("95",)))
    payment = _payment(Line(adjustments=[("CO", "5", D("180"))], remarks=("M77",)))
    (denied,) = _denials(payment, claim)
    assert denied.level == "claim" and denied.remarks == ["M77"] and denied.amount == D("180")


def test_paid_units_are_posted_one_when_the_payer_left_svc05_out() -> None:
    claim = _known(("90837", ("95",)))
    posted, _ = posting_events(uuid4(), DAY, _payment(Line()), claim, era_payer_id="SIMCOM")
    assert [line.units_paid for line in posted.lines] == [D(1)]


def test_the_rate_in_force_on_a_day_is_each_codes_latest_version_effective_by_then() -> None:
    from remittance_posting.variance import in_force

    versions = [
        (("90834", ""), date(2026, 1, 1), Decimal("100.00")),
        (("90834", ""), date(2026, 7, 1), Decimal("110.00")),
        (("90837", "95"), date(2026, 7, 1), Decimal("150.00")),
    ]
    assert in_force(versions, date(2026, 3, 2)) == {("90834", ""): Decimal("100.00")}  # 90837 not yet in force
    assert in_force(versions, date(2026, 7, 1)) == {
        ("90834", ""): Decimal("110.00"),
        ("90837", "95"): Decimal("150.00"),
    }
    assert in_force(versions, date(2025, 12, 31)) == {}
