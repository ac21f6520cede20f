"""The money checksum as a property (docs/money.md §5): a seeded run of a thousand generated claims, each with its
own history of payments, denials, deductibles, sequestration and incentives, crossovers, reversals and repayments,
recoupments, replacements and written-off denials. After each, the fold's checksum holds to the cent, and what it
says was paid, adjusted, written off and left open agrees with this test's own arithmetic of the same history."""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from uuid import uuid4

from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from projection.checks import checksum
from projection.domain import fold
from projection_testkit import Visit, day, fact

D = Decimal
CENT = D("0.01")
Adjustments = list[tuple[str, str, str]]


@dataclass
class Line:
    """One line as the payer adjudicates it, and what this test expects of it."""

    charge: Decimal
    paid: Decimal = D(0)
    adjustments: Adjustments = field(default_factory=list)
    patient: Decimal = D(0)  # the patient's share
    settled: Decimal = D(0)  # contractual and payment adjustments
    denied: Decimal = D(0)


@dataclass
class Expected:
    charged: Decimal = D(0)
    paid: Decimal = D(0)
    adjusted: Decimal = D(0)
    written_off: Decimal = D(0)
    patient: Decimal = D(0)
    insurance: Decimal = D(0)


def _money(cents: int) -> Decimal:
    return (D(cents) * CENT).quantize(CENT)


@st.composite
def adjudicated(draw: st.DrawFn, charge: Decimal) -> Line:
    """A line as a payer adjudicates it: paid with cost sharing (maybe sequestered, maybe with an incentive), left
    to the deductible, or denied."""
    line = Line(charge)
    kind = draw(st.sampled_from(["paid", "paid", "deductible", "denied"]))
    if kind == "denied":
        line.denied = charge
        line.adjustments = [("CO", draw(st.sampled_from(["97", "50", "16", "197"])), str(charge))]
        return line
    allowed = _money(draw(st.integers(int(charge * 40), int(charge * 100))))
    contractual = charge - allowed
    share = allowed if kind == "deductible" else _money(draw(st.integers(0, int(allowed * 30))))
    bonus = -_money(draw(st.integers(0, 300))) if kind == "paid" and draw(st.booleans()) else D(0)
    sequestered = ((allowed - share) * D("0.02")).quantize(CENT) if kind == "paid" and draw(st.booleans()) else D(0)
    share_reason = "1" if kind == "deductible" else "2"
    amounts = (("CO", "45", contractual), ("PR", share_reason, share), ("CO", "253", sequestered), ("CO", "144", bonus))
    line.adjustments = [(g, r, str(a)) for g, r, a in amounts if a]
    line.patient, line.settled = share, contractual + sequestered + bonus
    line.paid = charge - contractual - share - sequestered - bonus
    return line


@st.composite
def histories(draw: st.DrawFn) -> tuple[list[Any], Expected]:
    """One encounter's events, in time order, and the money this test expects of them."""
    v = Visit(payer="SIMMCR")
    charges = [_money(draw(st.integers(5_000, 30_000))) for _ in range(draw(st.integers(1, 3)))]
    expected = Expected(charged=sum(charges, D(0)), insurance=sum(charges, D(0)))
    events: list[Any] = [(v.created(lines=[("90837", str(c)) for c in charges]), day(1))]
    lines = [draw(adjudicated(c)) for c in charges]
    steps = ["none", "crossover", "forwarded", "reversal", "repaid", "recoupment", "write_off", "replaced"]
    step = draw(st.sampled_from(steps))
    _post(events, v, lines, expected, day(20), forwarded=step == "forwarded")
    _STEPS[step](draw, events, v, lines, expected)
    return events, expected


def _post(
    events: list[Any], v: Visit, lines: list[Line], expected: Expected, at: Any, forwarded: bool = False, **kw: Any
) -> None:
    """The payer's adjudication of the lines; forwarded (CLP02 19), the patient's share waits for the crossover
    payer, with the insurance."""
    posted = [(n, str(line.charge), str(line.paid), line.adjustments) for n, line in enumerate(lines, 1)]
    outcome = "denied" if all(line.denied for line in lines) else "paid"
    events.append((v.paid_lines(*posted, outcome=outcome, **({"status": "19"} if forwarded else {}) | kw), at))
    share = D(0) if forwarded else sum((line.patient for line in lines), D(0))
    expected.paid += sum((line.paid for line in lines), D(0))
    expected.adjusted += sum((line.settled for line in lines), D(0))
    expected.patient += share
    expected.insurance -= sum((line.paid + line.settled for line in lines), D(0)) + share  # a denial stays


def _none(*_: Any) -> None:
    return None


def _crossover(draw: st.DrawFn, events: list[Any], v: Visit, lines: list[Line], expected: Expected) -> None:
    """Medicaid pays part of the patient's share under our CLM01, the rest OA-23."""
    paid_lines = []
    for n, line in enumerate(lines, 1):
        pays = _money(draw(st.integers(0, int(line.patient * 100))))
        paid_lines.append((n, str(line.charge), str(pays), [("OA", "23", str(line.charge - pays))]))
        expected.paid += pays
        expected.patient -= pays
    events.append((v.paid_lines(*paid_lines, payer="SIMMCD", status="2"), day(35)))


def _negated(line: Line) -> Line:
    adjustments = [(g, r, str(-D(a))) for g, r, a in line.adjustments]
    return Line(-line.charge, -line.paid, adjustments, -line.patient, -line.settled, -line.denied)


def _forwarded(draw: st.DrawFn, events: list[Any], v: Visit, lines: list[Line], expected: Expected) -> None:
    """Medicare forwarded the claim; Medicaid pays part of each line's share, leaves the patient part of the rest
    (PR-3), and says the prior payer covered what remains (OA-23): nobody owes that any more."""
    paid_lines = []
    for n, line in enumerate(lines, 1):
        pays = _money(draw(st.integers(0, int(line.patient * 100))))
        leaves = _money(draw(st.integers(0, int((line.patient - pays) * 100))))
        adjustments = [("PR", "3", str(leaves))] if leaves else []
        if line.charge - pays - leaves:
            adjustments.append(("OA", "23", str(line.charge - pays - leaves)))
        paid_lines.append((n, str(line.charge), str(pays), adjustments))
        expected.paid += pays
        expected.patient += leaves
        expected.adjusted += line.patient - pays - leaves
        expected.insurance -= line.patient
    events.append((v.paid_lines(*paid_lines, payer="SIMMCD", status="2"), day(35)))


def _reversal(_draw: st.DrawFn, events: list[Any], v: Visit, lines: list[Line], expected: Expected) -> None:
    negated = [_negated(line) for line in lines]
    _post(events, v, negated, expected, day(40), status="22")
    events[-1] = (events[-1][0].model_copy(update={"outcome": "reversed"}), day(40))


def _repaid(draw: st.DrawFn, events: list[Any], v: Visit, lines: list[Line], expected: Expected) -> None:
    """Reversed and paid again in the same 835."""
    _reversal(draw, events, v, lines, expected)
    _post(events, v, [draw(adjudicated(line.charge)) for line in lines], expected, day(40))


def _recoupment(draw: st.DrawFn, events: list[Any], v: Visit, lines: list[Line], expected: Expected) -> None:
    paid = sum((line.paid for line in lines), D(0))
    taken = _money(draw(st.integers(0, int(paid * 100))))
    if taken:
        events.append((v.recouped(str(taken)), day(90)))
        expected.paid -= taken
        expected.insurance += taken


def _write_off(draw: st.DrawFn, events: list[Any], v: Visit, lines: list[Line], expected: Expected) -> None:
    """A case on one denied line, written off; it may ask for more than the line still owes."""
    denied = [(n, line) for n, line in enumerate(lines, 1) if line.denied]
    if not denied:
        return
    n, line = draw(st.sampled_from(denied))
    case, asked = uuid4(), _money(draw(st.integers(1, int(line.denied * 200))))
    events.append((v.triaged(case, "bundling", ["CO-97"], str(line.denied), line=n), day(21)))
    events.append((v.resolved(case, "written_off", str(asked)), day(30)))
    expected.written_off += min(asked, line.denied)
    expected.insurance -= min(asked, line.denied)


def _replaced(draw: st.DrawFn, events: list[Any], v: Visit, lines: list[Line], expected: Expected) -> None:
    """A corrected claim (a new charge) replaces it; the payer reverses the original and pays the replacement."""
    new = Visit(payer=v.payer, encounter_id=v.encounter_id, claim_id=uuid4())
    charges = [_money(draw(st.integers(5_000, 30_000))) for _ in lines]
    events.append((new.created(replaces=v.claim_id, lines=[("90837", str(c)) for c in charges]), day(25)))
    expected.insurance += sum(charges, D(0)) - expected.charged  # it takes over what is open, and the difference
    expected.charged = sum(charges, D(0))
    _reversal(draw, events, v, lines, expected)
    _post(events, new, [draw(adjudicated(c)) for c in charges], expected, day(45))


_STEPS = {
    "none": _none,
    "crossover": _crossover,
    "forwarded": _forwarded,
    "reversal": _reversal,
    "repaid": _repaid,
    "recoupment": _recoupment,
    "write_off": _write_off,
    "replaced": _replaced,
}


@seed(20261203)
@settings(max_examples=1000, deadline=None, derandomize=False, suppress_health_check=[HealthCheck.too_slow])
@given(histories())
def test_every_checksum_holds_and_agrees_with_the_arithmetic(history: tuple[list[Any], Expected]) -> None:
    events, expected = history
    folded = fold(fact(event, at) for event, at in events)
    found = checksum(folded)
    assert found.difference == 0, found
    assert (found.charged, found.paid, found.adjusted, found.written_off) == (
        expected.charged,
        expected.paid,
        expected.adjusted,
        expected.written_off,
    )
    assert (found.patient, found.insurance) == (expected.patient, expected.insurance)
    for claim in folded.claims.values():  # a replaced claim handed everything on: nothing is left on it
        if claim.succeeded_by is not None:
            assert (claim.insurance_balance, claim.patient_balance) == (0, 0), claim
