"""Every dollar on the right line, party and claim (docs/money.md): the fold's money on the cases an auditor
checks, and the checksum that holds after each of them."""

from decimal import Decimal
from uuid import uuid4

from claimstream_platform.contracts import remittance_posting as rp
from projection.checks import checksum
from projection.domain import fold
from projection.model import INSURANCE, PATIENT, Folded
from projection_testkit import Visit, day, fact

D = Decimal


def _line(folded: Folded, claim_id: object, line: int | None, party: str = INSURANCE) -> Decimal:
    return folded.balances.get((claim_id, line, party), D(0))  # type: ignore[call-overload, no-any-return]


def _balanced(folded: Folded) -> None:
    assert checksum(folded).difference == 0, checksum(folded)


def test_a_paid_claim_keeps_exactly_its_co_97_line_open_and_its_write_off_touches_only_that_line() -> None:
    v, case = Visit(), uuid4()
    facts = [
        fact(v.created(lines=[("90837", "150"), ("90785", "40"), ("90839", "50")]), day(1)),
        fact(
            v.paid_lines(
                (1, "150", "100", [("CO", "45", "50")]),
                (2, "40", "0", [("CO", "45", "10"), ("PR", "1", "30")]),  # the allowed amount went to the deductible
                (3, "50", "0", [("CO", "97", "50")]),
                outcome="partially_paid",
            ),
            day(20),
        ),
        fact(v.triaged(case, "bundling", ["CO-97"], "50", line=3), day(20, 13)),
    ]
    folded = fold(facts)
    claim = folded.claims[v.claim_id]
    assert [_line(folded, v.claim_id, n) for n in (1, 2, 3)] == [0, 0, D(50)]
    assert (claim.patient_balance, claim.denied, claim.first_denied_amount) == (D(30), D(50), D(50))
    _balanced(folded)
    worked = fold([*facts, fact(v.resolved(case, "written_off", "50"), day(30))])
    claim = worked.claims[v.claim_id]
    assert (claim.insurance_balance, claim.patient_balance, claim.written_off) == (0, D(30), D(50))
    assert _line(worked, v.claim_id, 3) == 0 and _line(worked, v.claim_id, 2, PATIENT) == D(30)
    _balanced(worked)


def test_a_write_off_never_takes_more_than_its_line_still_owes() -> None:
    v, case = Visit(), uuid4()
    folded = fold(
        [
            fact(v.created(lines=[("90837", "150"), ("90839", "50")]), day(1)),
            fact(
                v.paid_lines(
                    (1, "150", "0", [("CO", "50", "150")]), (2, "50", "0", [("CO", "97", "50")]), outcome="denied"
                ),
                day(20),
            ),
            fact(v.triaged(case, "bundling", ["CO-97"], "50", line=2), day(21)),
            fact(v.resolved(case, "written_off", "500"), day(30)),  # asks for more than the line's 50
        ]
    )
    assert (_line(folded, v.claim_id, 1), _line(folded, v.claim_id, 2)) == (D(150), 0)  # CO-50 stays open
    _balanced(folded)


def test_a_deductible_only_claim_is_no_denial_and_leaves_the_patient_her_share() -> None:
    v = Visit(charge="95")
    folded = fold(
        [
            fact(v.created(), day(1)),
            fact(v.paid_lines((1, "95", "0", [("CO", "45", "36.62"), ("PR", "1", "58.38")])), day(20)),
        ]
    )
    claim = folded.claims[v.claim_id]
    assert (claim.first_denied, claim.denied, claim.insurance_balance, claim.patient_balance) == (
        False,
        0,
        0,
        D("58.38"),
    )
    _balanced(folded)


def test_medicaids_zero_crossover_leaves_medicares_co_50_open() -> None:
    v = Visit(charge="300", payer="SIMMCR")
    folded = fold(
        [
            fact(v.created(lines=[("90837", "150"), ("90834", "150")]), day(1)),
            fact(
                v.paid_lines(
                    (1, "150", "80", [("CO", "45", "50"), ("PR", "2", "20")]),
                    (2, "150", "0", [("CO", "50", "150")]),
                    outcome="partially_paid",
                    status="19",
                ),
                day(20),
            ),
            fact(
                v.paid_lines(
                    (1, "150", "20", [("OA", "23", "130")]),
                    (2, "150", "0", [("OA", "23", "150")]),
                    payer="SIMMCD",
                    status="2",
                ),
                day(35),
            ),
        ]
    )
    claim = folded.claims[v.claim_id]
    assert (_line(folded, v.claim_id, 2), claim.patient_balance, claim.paid) == (D(150), 0, D(100))
    assert claim.status == "partially_paid"  # the crossover payer's word does not set the billed claim's status
    _balanced(folded)


def test_an_incentive_paid_as_a_negative_co_144_makes_no_credit() -> None:
    v = Visit(charge="100")
    folded = fold(
        [
            fact(v.created(), day(1)),
            fact(v.paid_lines((1, "100", "85", [("CO", "45", "20"), ("CO", "144", "-5")])), day(20)),
        ]
    )
    claim = folded.claims[v.claim_id]
    assert (claim.insurance_balance, claim.payment_adjustments, claim.first_denied) == (0, D(-5), False)
    _balanced(folded)


def test_sequestration_is_settled_not_denied() -> None:
    v = Visit(charge="150", payer="SIMMCR")
    folded = fold(
        [
            fact(v.created(), day(1)),
            fact(v.paid_lines((1, "150", "98", [("CO", "45", "50"), ("CO", "253", "2")])), day(20)),
        ]
    )
    claim = folded.claims[v.claim_id]
    assert (claim.outstanding, claim.first_denied, claim.status) == (0, False, "paid")
    _balanced(folded)


def test_a_new_original_after_a_denial_leaves_one_receivable() -> None:
    v, new = Visit(charge="150"), uuid4()
    folded = fold(
        [
            fact(v.created(), day(1)),
            fact(v.paid_lines((1, "150", "0", [("CO", "16", "150")]), outcome="denied"), day(20)),
            fact(v.created(claim_id=new, replaces=v.claim_id, frequency="1"), day(22)),  # a new original, not a 7
        ]
    )
    original, replacement = folded.claims[v.claim_id], folded.claims[new]
    assert (original.status, original.outstanding, replacement.outstanding) == ("replaced", 0, D(150))
    _balanced(folded)


def test_a_replacement_takes_over_and_the_originals_later_reversal_follows_it() -> None:
    v, new = Visit(charge="150"), uuid4()
    folded = fold(
        [
            fact(v.created(), day(1)),
            fact(v.paid_lines((1, "150", "100", [("CO", "45", "50")])), day(20)),
            fact(v.created(claim_id=new, replaces=v.claim_id, lines=[("90837", "160")]), day(22)),
            fact(v.paid_lines((1, "-150", "-100", [("CO", "45", "-50")]), outcome="reversed", status="22"), day(40)),
            fact(v.paid_lines((1, "160", "110", [("CO", "45", "50")]), claim_id=new), day(40)),
        ]
    )
    original, replacement = folded.claims[v.claim_id], folded.claims[new]
    assert (original.outstanding, replacement.outstanding, replacement.status) == (0, 0, "paid")
    assert checksum(folded).charged == D(160) and checksum(folded).paid == D(110)
    _balanced(folded)


def test_a_void_withdraws_the_charge_and_the_payers_take_back_settles_it() -> None:
    v, void = Visit(charge="150"), uuid4()
    facts = [
        fact(v.created(), day(1)),
        fact(v.paid_lines((1, "150", "100", [("CO", "45", "50")])), day(20)),
        fact(v.created(claim_id=void, replaces=v.claim_id, frequency="8"), day(25)),
    ]
    folded = fold(facts)
    assert (checksum(folded).charged, folded.claims[void].insurance_balance) == (0, D(-150))  # owed back
    _balanced(folded)
    settled = fold(
        [
            *facts,
            fact(v.paid_lines((1, "-150", "-100", [("CO", "45", "-50")]), outcome="reversed", status="22"), day(45)),
        ]
    )
    assert settled.claims[void].insurance_balance == 0
    _balanced(settled)


def test_a_recoupment_reopens_the_claim_and_interest_stays_out_of_its_balance() -> None:
    v = Visit(charge="150")
    folded = fold(
        [
            fact(v.created(), day(1)),
            fact(v.paid_lines((1, "150", "100", [("CO", "45", "50")])), day(20)),
            fact(v.recouped("100"), day(90)),
            fact(v.recouped("-1.25", reason="L6"), day(90)),
        ]
    )
    claim = folded.claims[v.claim_id]
    assert (claim.insurance_balance, claim.recouped, claim.interest) == (D(100), D(100), D("1.25"))
    assert checksum(folded).paid == 0
    _balanced(folded)


def test_a_payment_made_twice_is_owed_back_until_it_is_sent_back_on_the_payers_request() -> None:
    v = Visit(charge="150")
    paid = (1, "150", "150", [])  # in full, twice
    facts = [fact(v.created(), day(1)), fact(v.paid_lines(paid), day(20)), fact(v.paid_lines(paid), day(21))]
    assert fold(facts).claims[v.claim_id].insurance_balance == D(-150)  # the payer's credit
    refund = {"refund_id": uuid4(), "payer_id": v.payer, "amount": D(150), "reference": "CHK-1", "sent_on": v.served}
    sent = rp.PayerRefundSent(tenant_id=v.tenant, claim_id=v.claim_id, **refund)
    folded = fold([*facts, fact(sent, day(40))])
    assert (folded.claims[v.claim_id].insurance_balance, checksum(folded).paid) == (0, D(150))
    _balanced(folded)


def test_a_reversal_and_its_corrected_payment_in_one_835_leave_the_claim_paid() -> None:
    v = Visit(charge="150")
    at = day(40)
    folded = fold(
        [
            fact(v.created(), day(1)),
            fact(v.paid_lines((1, "150", "100", [("CO", "45", "50")])), day(20)),
            fact(v.paid_lines((1, "150", "110", [("CO", "45", "40")])), at),
            fact(v.paid_lines((1, "-150", "-100", [("CO", "45", "-50")]), outcome="reversed", status="22"), at),
        ]
    )
    claim = folded.claims[v.claim_id]
    assert (claim.status, claim.outstanding, claim.paid) == ("paid", 0, D(110))
    _balanced(folded)


def test_a_secondary_takes_the_share_and_a_voided_secondary_gives_it_back() -> None:
    v, secondary = Visit(charge="150", payer="SIMMCR"), uuid4()
    facts = [
        fact(v.created(), day(1)),
        fact(v.paid_lines((1, "150", "80", [("CO", "45", "40"), ("PR", "2", "30")])), day(20)),
        fact(v.created(claim_id=secondary, payer="SIMBCX", responsibility="secondary"), day(21)),
    ]
    folded = fold(facts)
    assert (folded.claims[v.claim_id].patient_balance, folded.claims[secondary].insurance_balance) == (0, D(30))
    _balanced(folded)
    withdrawn = fold([*facts, fact(v.voided(secondary), day(22))])
    assert (withdrawn.claims[v.claim_id].patient_balance, withdrawn.claims[secondary].outstanding) == (D(30), 0)
    _balanced(withdrawn)


def test_a_forwarded_share_waits_for_the_crossover_payer_and_a_reversal_undoes_only_what_it_booked() -> None:
    """Medicare leaves a dual eligible's visit to the deductible and forwards it; Medicaid denies the line whole
    (CO-4); Medicare then reverses, and the corrected claim is denied. The patient is never billed for it."""
    v, replacement = Visit(charge="140", payer="SIMMCR"), uuid4()
    facts = [
        fact(v.created(), day(1)),
        fact(v.paid_lines((1, "140", "0", [("CO", "45", "36.89"), ("PR", "1", "103.11")]), status="19"), day(20)),
        fact(
            v.paid_lines((1, "140", "0", [("CO", "4", "140")]), payer="SIMMCD", status="2", outcome="denied"), day(21)
        ),
    ]
    folded = fold(facts)
    claim = folded.claims[v.claim_id]
    assert (claim.insurance_balance, claim.patient_balance) == (D("103.11"), 0)  # open with Medicaid, not her
    _balanced(folded)
    later = fold(
        [
            *facts,
            fact(v.created(claim_id=replacement, replaces=v.claim_id), day(22)),
            fact(
                v.paid_lines(
                    (1, "-140", "0", [("CO", "45", "-36.89"), ("PR", "1", "-103.11")]), outcome="reversed", status="22"
                ),
                day(30),
            ),
            fact(v.paid_lines((1, "140", "0", [("CO", "4", "140")]), claim_id=replacement, outcome="denied"), day(30)),
        ]
    )
    new = later.claims[replacement]
    assert (new.insurance_balance, new.patient_balance) == (D(140), 0)
    _balanced(later)
