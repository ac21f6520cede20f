"""Outcomes, line matching and the events a claim payment causes. Pure."""

from decimal import Decimal
from uuid import uuid4

from claimstream_platform.contracts.remittance_posting import ClaimDenied, ClaimReversed
from remittance_posting.domain import KnownClaim, KnownLine, match_lines, outcome, posting_events
from remittance_posting.era import read_file
from remittance_testkit import NOW, PRACTICE, TENANT, Line, Payment, era


def _known(*lines: tuple[str, tuple[str, ...]]) -> KnownClaim:
    known = tuple(KnownLine(n, code, mods, Decimal("100"), f"CS1-{n}") for n, (code, mods) in enumerate(lines, 1))
    return KnownClaim(uuid4(), TENANT, PRACTICE, "CS1", "SIMCOM", None, known, NOW.date())


def _payment(*lines: Line, **changes: object) -> object:
    (remittance,) = read_file(era(Payment("CS1", lines=list(lines), **changes)))  # type: ignore[arg-type]
    return remittance.claims[0]


def test_outcomes_paid_partial_denied_patient_owes_forwarded_reversed() -> None:
    assert outcome(_payment(Line())) == "paid"  # CO-45 contractual write-off only
    assert outcome(_payment(Line(adjustments=[("CO", "45", Decimal("40")), ("CO", "253", Decimal("2"))]))) == (
        "partially_paid"
    )
    assert outcome(_payment(Line(adjustments=[("CO", "197", Decimal("180"))]))) == "denied"
    assert outcome(_payment(Line(adjustments=[("PR", "1", Decimal("180"))]))) == "paid"  # deductible: not denied
    assert outcome(_payment(Line(), status="19")) == "forwarded"
    assert outcome(_payment(Line(), status="22")) == "reversed"


def test_lines_match_by_control_number_then_modifiers_in_any_order_then_dropped_then_billed_code() -> None:
    claim = _known(("90837", ("95", "HO")), ("90785", ()), ("96130", ()), ("90834", ("95",)))
    paid = _payment(
        Line(code="90834", modifiers=("95",), control_number="CS1-4"),  # by REF*6R
        Line(code="90837", modifiers=("HO", "95")),  # reordered
        Line(code="96130", modifiers=()),
        Line(code="90832", modifiers=(), billed=("90785",)),  # paid as another code: SVC06 names ours
    )
    assert match_lines(paid.lines, claim) == [4, 1, 3, 2]  # type: ignore[attr-defined]


def test_a_modifier_the_payer_did_not_echo_still_matches() -> None:
    claim = _known(("90837", ("95", "HO")))
    assert match_lines(_payment(Line(modifiers=("95",))).lines, claim) == [1]  # type: ignore[attr-defined]


def test_a_line_denied_inside_a_paid_claim_makes_it_partial_and_is_a_line_level_denial() -> None:
    claim = _known(("90837", ("95",)), ("90785", ()))
    payment = _payment(Line(), Line(code="90785", modifiers=(), charge=Decimal("30"),
                                    adjustments=[("CO", "97", Decimal("30"))], remarks=("M80",)))  # fmt: skip
    posted, more = posting_events(uuid4(), None, payment, claim, era_payer_id="SIMMCR")  # type: ignore[arg-type]
    assert posted.outcome == "partially_paid" and posted.paid == Decimal("140")
    (denied,) = more
    assert isinstance(denied, ClaimDenied) and denied.level == "line" and denied.line_number == 2
    assert [(a.group, a.reason) for a in denied.adjustments] == [("CO", "97")] and denied.remarks == ["M80"]


def test_a_reversal_announces_the_amount_taken_back() -> None:
    claim = _known(("90837", ("95",)))
    reversal = _payment(Line(charge=Decimal("-180"), adjustments=[("CO", "45", Decimal("-40"))]), status="22")
    posted, (reversed_,) = posting_events(uuid4(), None, reversal, claim, era_payer_id="SIMMCR")  # type: ignore[arg-type]
    assert posted.outcome == "reversed" and isinstance(reversed_, ClaimReversed)
    assert reversed_.amount == Decimal("140")


def test_an_allowed_amount_within_the_tolerance_is_no_underpayment_and_a_denied_line_no_variance() -> None:
    from remittance_posting.variance import TOLERANCE, rate_key, variances

    claim = _known(("90837", ("95",)), ("90785", ()))
    rates = {rate_key("90837", ()): Decimal("140.50"), rate_key("90785", ()): Decimal("30")}
    payment = _payment(Line(), Line(code="90785", modifiers=(), charge=Decimal("30"),
                                    adjustments=[("CO", "97", Decimal("30"))]))  # fmt: skip
    assert variances(payment, claim, rates, TOLERANCE) == []  # 140 allowed against 140.50; the add-on was denied
    (underpaid,) = variances(payment, claim, {**rates, rate_key("90837", ("95",)): Decimal("145")}, TOLERANCE)
    assert (underpaid.kind, underpaid.expected, underpaid.difference) == ("underpaid", Decimal("145"), Decimal("5"))


def test_a_crossover_payers_835_for_a_primary_claim_names_its_own_payer() -> None:
    """CLP02 2 under our CLM01 for a claim billed to the primary: the secondary (crossover) payer speaking."""
    from remittance_posting.domain import from_another_payer

    claim = _known(("90837", ("95",)))
    by_crossover = _payment(Line(), status="2")
    assert from_another_payer(by_crossover, claim)  # type: ignore[arg-type]
    posted, _ = posting_events(uuid4(), None, by_crossover, claim, era_payer_id="SIMMCD")  # type: ignore[arg-type]
    assert posted.payer_id == "SIMMCD" and posted.claim_status == "2"
    by_primary = _payment(Line(), status="19")  # the primary paid and forwarded it: its own word
    assert not from_another_payer(by_primary, claim)  # type: ignore[arg-type]
    secondary_claim = KnownClaim(**{**claim.__dict__, "responsibility": "secondary"})
    assert not from_another_payer(by_crossover, secondary_claim)  # type: ignore[arg-type]
    posted, _ = posting_events(uuid4(), None, by_crossover, secondary_claim, era_payer_id="X")  # type: ignore[arg-type]
    assert posted.payer_id == "SIMCOM"


def test_a_denied_claim_carries_its_lines_remarks_too() -> None:
    claim = _known(("90837", ("95",)))
    payment = _payment(Line(adjustments=[("CO", "5", Decimal("180"))], remarks=("M77",)))
    _, (denied,) = posting_events(uuid4(), None, payment, claim, era_payer_id="SIMCOM")  # type: ignore[arg-type]
    assert isinstance(denied, ClaimDenied) and denied.level == "claim" and denied.remarks == ["M77"]
