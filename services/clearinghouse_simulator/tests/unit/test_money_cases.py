"""The money cases the simulator teaches (docs/money.md): deductible-only zero pays, Medicare's own denial on a
crossover, negotiated discounts, MIPS penalties and incentives, overpayments taken back long after the payment,
payers that want a new original after a denial, and members remitted on paper. Every 835 balances to the cent."""

from datetime import date
from decimal import Decimal
from uuid import uuid4

from claimstream_platform.x12.p837_model import LineAdjudication, OtherPayer
from clearinghouse_simulator.adjudication import adjudicate
from clearinghouse_simulator.cycle import Prior
from clearinghouse_simulator.frontend import ACCEPTED, payer_status
from clearinghouse_simulator.plb import reviewed
from clearinghouse_simulator.shares import share
from pyx12_check import pyx12_problems
from simulator_testkit import (
    BOOK,
    RECEIVED,
    SUBMITTER,
    adjustments,
    claims,
    cycle,
    decide,
    member,
    npi_with_mips,
    pending,
)
from x12_samples import BILLING_NPI, SampleClaim, SampleLine, balance_problems

MEDICARE = BOOK.payers["SIMMCR"]
DEDUCTIBLE_MET = {
    "copay": Decimal(0),
    "deductible": Decimal(257),
    "deductible_met": Decimal(257),
    "coinsurance": Decimal("0.20"),
}
D = Decimal


def valid(text: str) -> bool:
    return balance_problems(text) == [] and pyx12_problems(text) == []


def test_a_claim_whose_allowed_amount_all_goes_to_the_deductible_is_paid_zero_with_co_45_and_pr_1_only() -> None:
    """Medicare, nothing of the deductible met: allowed 77.33 (a social worker's 75 % of 103.11), all of it
    the patient's deductible. No sequestration or MIPS on a payment of zero, and not a denial."""
    penalized = npi_with_mips((D("0.09"), D(0)))
    sample = SampleClaim(pcn="DED1", rendering_npi=penalized)
    result = decide(sample, copay=D(0), deductible=D(257), deductible_met=D(0), coinsurance=D("0.20"))
    assert adjustments(result) == [[("CO", "45", D("42.67")), ("PR", "1", D("77.33"))]]
    assert (result.status, result.paid, result.deductible_applied, result.denied) == ("1", 0, D("77.33"), False)
    outcome = cycle(
        [pending(claims(sample)[0], 1)],
        members={
            (SUBMITTER, "SIMMCR", "1EG4TE5MK73"): member(
                copay=D(0), deductible=D(257), deductible_met=D(0), coinsurance=D("0.20")
            )
        },
    )
    (remittance,) = outcome.remittances
    assert "CLP*DED1*1*120*0*77.33*MB*" in remittance.content and "CAS*PR*1*77.33~" in remittance.content
    assert remittance.total == 0 and valid(remittance.content)


def test_a_commercial_deductible_plan_pays_zero_until_the_deductible_is_met() -> None:
    result = decide(SampleClaim(payer_id="SIMBCX"), copay=D(0), deductible=D(1500), deductible_met=D(0))
    assert adjustments(result) == [[("CO", "45", D("24.80")), ("PR", "1", D("95.20"))]] and result.paid == 0


def test_medicare_adjusts_a_penalized_clinicians_payment_by_co_237_and_a_rewarded_ones_by_a_negative_co_144() -> None:
    """Allowed 77.33, 20 % coinsurance 15.47: 61.86; MIPS (2026: 9 % penalty, 2.15 % incentive) with N807, then
    2 % sequestration on what is left."""
    penalized = decide(SampleClaim(rendering_npi=npi_with_mips((D("0.09"), D(0)))), **DEDUCTIBLE_MET)
    assert adjustments(penalized) == [
        [("CO", "45", D("42.67")), ("PR", "2", D("15.47")), ("CO", "237", D("5.57")), ("CO", "253", D("1.13"))]
    ]
    assert penalized.paid == D("55.16") and penalized.lines[0].remarks == ["N807"]
    rewarded = decide(SampleClaim(rendering_npi=npi_with_mips((D(0), D("0.0215")))), **DEDUCTIBLE_MET)
    assert adjustments(rewarded) == [
        [("CO", "45", D("42.67")), ("PR", "2", D("15.47")), ("CO", "144", D("-1.33")), ("CO", "253", D("1.26"))]
    ]
    assert rewarded.paid == D("61.93")  # the incentive adds to the payment
    neither = decide(SampleClaim(rendering_npi=npi_with_mips((D(0), D(0)))), **DEDUCTIBLE_MET)
    assert [a.reason for a in neither.lines[0].adjustments] == ["45", "2", "253"] and neither.lines[0].remarks == []
    before_mips = decide(
        SampleClaim(rendering_npi=npi_with_mips((D("0.09"), D(0))), service_date=date(2018, 6, 1)),
        received=date(2018, 6, 5),
        coverage_start=date(2018, 1, 1),
        **DEDUCTIBLE_MET,
    )
    assert "237" not in [a.reason for a in before_mips.lines[0].adjustments]


def test_mips_adjustments_go_in_the_835_with_n807_and_it_still_balances() -> None:
    samples = [
        SampleClaim(pcn=f"MIPS{n}", rendering_npi=npi_with_mips(rates), member_id=f"MEM{n}")
        for n, rates in enumerate([(D("0.09"), D(0)), (D(0), D("0.0215"))])
    ]
    read = claims(*samples)
    outcome = cycle(
        [pending(c, n) for n, c in enumerate(read)],
        members={(SUBMITTER, "SIMMCR", c.member_id): member(**DEDUCTIBLE_MET) for c in read},
    )
    (remittance,) = outcome.remittances
    assert "CAS*CO*45*42.67**237*5.57**253*1.13~" in remittance.content
    assert "CAS*CO*45*42.67**144*-1.33**253*1.26~" in remittance.content
    assert remittance.content.count("LQ*HE*N807~") == 2 and valid(remittance.content)


def test_a_share_of_the_administrators_claims_carry_a_negotiated_discount_co_131_instead_of_co_45() -> None:
    behavioral = SampleLine("90834", charge=D(120))
    results = {
        pcn: decide(SampleClaim(pcn=pcn, payer_id="SIMBHO", lines=[behavioral]))
        for pcn in (f"ND{n}" for n in range(300))
    }
    reasons = {pcn: {a.reason for a in r.lines[0].adjustments if a.group == "CO"} for pcn, r in results.items()}
    discounted = [pcn for pcn, found in reasons.items() if found == {"131"}]
    assert 0.15 < len(discounted) / len(results) < 0.35
    assert all(found in ({"131"}, {"45"}) for found in reasons.values())
    one = results[discounted[0]]
    assert one.lines[0].adjustments[0].amount == D(120) - one.lines[0].allowed  # the same money, another reason
    before = decide(
        SampleClaim(pcn=discounted[0], payer_id="SIMBHO", service_date=date(2023, 6, 1)),
        received=date(2023, 6, 5),
        coverage_start=date(2023, 1, 1),
    )
    assert [a.reason for a in before.lines[0].adjustments if a.group == "CO"] == ["45"]  # before the arrangement


def dual(pcn: str, payer_id: str = "SIMMCR") -> SampleClaim:
    """Psychotherapy with interactive complexity: two lines."""
    return SampleClaim(pcn=pcn, payer_id=payer_id, lines=[SampleLine("90834"), SampleLine("90785", charge=D(20))])


def test_medicare_denies_one_line_co_50_on_a_claim_it_crosses_over_and_medicaid_pays_only_the_other() -> None:
    """The denial is Medicare's own (CO-50, provider liability): it stays on Medicare's 835, the claim is still
    forwarded for the patient's share of the paid line, and Medicaid pays that share (up to its own allowed
    amount less Medicare's payment), and nothing on the denied line: OA-23 for all of it."""
    pcn = next(
        f"MN{n}" for n in range(200) if share("medical-necessity", f"MN{n}") < MEDICARE.medical_necessity_percent
    )
    (claim,) = claims(dual(pcn))
    forwarded_to = claim.model_copy(
        update={"other_payers": [OtherPayer(responsibility="S", payer_id="SIMMCD", member_id="MCD42")]}
    )
    item = pending(forwarded_to, 21)
    outcome = cycle([item], members={(SUBMITTER, "SIMMCR", claim.member_id): member(**DEDUCTIBLE_MET)})
    medicare = outcome.results[item.claim_id]
    assert medicare.status == "19" and medicare.crossover == ("SIMMCD", "Simulated State Medicaid")
    paid_line, denied_line = medicare.lines
    assert adjustments(medicare)[1] == [("CO", "50", D(20))] and denied_line.remarks == ["N115"]
    assert paid_line.paid > 0 and not medicare.denied
    assert valid(outcome.remittances[0].content) and "CAS*CO*50*20~" in outcome.remittances[0].content
    secondary = outcome.crossovers[item.claim_id]
    later = cycle([pending(secondary, 22)], members={(SUBMITTER, "SIMMCD", "MCD42"): member(copay=D(0))})
    (medicaid,) = later.results.values()
    owed = sum(a.amount for a in paid_line.adjustments if a.group == "PR")
    assert medicaid.status == "2"
    assert medicaid.lines[0].paid == min(owed, D("64.00") - paid_line.paid)  # Medicaid's allowed 64.00
    assert adjustments(medicaid)[1] == [("OA", "23", D(20))] and medicaid.lines[1].paid == 0
    assert valid(later.remittances[0].content)


def test_medicare_finds_a_share_of_multi_line_claims_not_medically_necessary_and_never_a_single_line() -> None:
    results = [decide(dual(f"MN{n}"), **DEDUCTIBLE_MET) for n in range(200)]
    denied = [r for r in results if [a.reason for a in r.lines[1].adjustments] == ["50"]]
    assert 0.15 < len(denied) / len(results) < 0.35 and all(r.lines[0].paid > 0 for r in denied)
    singles = [decide(SampleClaim(pcn=f"MN{n}"), **DEDUCTIBLE_MET) for n in range(60)]
    assert all("50" not in [a.reason for a in r.lines[0].adjustments] for r in singles)
    assert all(r.lines[1].paid > 0 for r in (decide(dual(f"MN{n}", "SIMBCX")) for n in range(5)))


def test_a_review_finds_a_share_of_paid_claims_overpaid_and_takes_the_money_back_days_later() -> None:
    """Paid on day 10; the claim the review picks (by seed and payer claim number) is due on day 100 (Medicare
    reviews 90 days after the payment); then the payee's next 835 takes 10 % to 40 % of the payment back with a
    PLB WO naming the claim, and the claim is recovered once."""
    number = next(n for n in range(1, 500) if reviewed(7, f"SIMMCR{n}", MEDICARE.review_percent))
    others = [n for n in range(1, 30) if not reviewed(7, f"SIMMCR{n}", MEDICARE.review_percent)][:2]
    read = claims(*(SampleClaim(pcn=f"RV{n}", member_id=f"MEM{n}") for n in (number, *others)))
    items = [pending(claim, n) for claim, n in zip(read, (number, *others), strict=True)]
    first = cycle(items, day=10, members={(SUBMITTER, "SIMMCR", c.member_id): member(**DEDUCTIBLE_MET) for c in read})
    assert first.reviews == {items[0].claim_id: 100}
    prior = Prior(items[0].claim_id, read[0], f"SIMMCR{number}", RECEIVED, first.results[items[0].claim_id])
    (later_claim,) = claims(SampleClaim(pcn="LATER", member_id="MEMLATER", service_date=date(2026, 3, 4)))
    payee = (SUBMITTER, "SIMMCR", BILLING_NPI)
    later = cycle(
        [pending(later_claim, 900)],
        day=100,
        due={payee: [prior]},
        members={(SUBMITTER, "SIMMCR", "MEMLATER"): member(**DEDUCTIBLE_MET)},
    )
    (remittance,) = later.remittances
    taken = D(remittance.content.split(f"WO:SIMMCR{number}*")[1].split("~")[0])
    assert prior.adjudication.paid * D("0.10") <= taken <= prior.adjudication.paid * D("0.40")
    assert later.recovered == {prior.claim_id} and valid(remittance.content)
    paper = member(**DEDUCTIBLE_MET, remittance="paper")  # a claim paid on paper is never taken back in an 835
    unreviewed = cycle(items[:1], day=10, members={(SUBMITTER, "SIMMCR", read[0].member_id): paper})
    assert unreviewed.reviews == {}


def test_a_review_that_takes_back_more_than_the_835_pays_carries_the_rest_forward() -> None:
    (claim,) = claims(SampleClaim(pcn="BIG"))
    paid = decide(SampleClaim(pcn="BIG", lines=[SampleLine("90837", charge=D(900))]), **DEDUCTIBLE_MET)
    big = Prior(uuid4(), claim, "SIMMCR77", RECEIVED, paid)
    (small,) = claims(SampleClaim(pcn="SMALL", member_id="MEMSMALL", lines=[SampleLine("90832", charge=D(10))]))
    outcome = cycle(
        [pending(small, 78)],
        day=200,
        due={(SUBMITTER, "SIMMCR", BILLING_NPI): [big]},
        members={(SUBMITTER, "SIMMCR", "MEMSMALL"): member(**DEDUCTIBLE_MET)},
    )
    (remittance,) = outcome.remittances
    assert remittance.total == 0 and "WO:SIMMCR77*" in remittance.content and "FB:SIMMCR77*-" in remittance.content
    assert valid(remittance.content)


def test_a_payer_that_wants_a_new_original_refuses_a_replacement_of_a_claim_it_denied() -> None:
    known = lambda payer, member_id: True  # noqa: E731
    medicaid = SampleClaim(payer_id="SIMMCD", filing="MC", frequency="7", original_reference="SIMMCD100")
    (replacement,) = claims(medicaid)
    assert BOOK.payers["SIMMCD"].new_original_after_denial and not MEDICARE.new_original_after_denial
    refused = payer_status(replacement, member_known=known, new_original_after_denial=True, denied={"SIMMCD100"})
    assert refused == "A7:535"
    assert payer_status(replacement, member_known=known, new_original_after_denial=True, denied=set()) == ACCEPTED
    assert payer_status(replacement, member_known=known, denied={"SIMMCD100"}) == ACCEPTED  # a payer that takes 7s
    (original,) = claims(SampleClaim(payer_id="SIMMCD", filing="MC"))
    assert payer_status(original, member_known=known, new_original_after_denial=True, denied={"SIMMCD100"}) == ACCEPTED


def test_medicaid_denies_telehealth_at_the_home_place_of_service_but_not_on_a_claim_medicare_crossed_over() -> None:
    """Medicaid has not adopted POS 10: its own claims are denied CO-16 M77 whole, and denial management's fix (POS
    02) comes as a correction Medicaid wants as a new original. A crossover is coded for Medicare: Medicaid pays on
    Medicare's adjudication without its own coding edits."""
    home = SampleClaim(
        payer_id="SIMMCD", filing="MC", place_of_service="10", lines=[SampleLine(modifiers=("HO", "GT"))]
    )
    result = decide(home)
    assert adjustments(result) == [[("CO", "16", D(120))]] and result.lines[0].remarks == ["M77"] and result.denied
    assert decide(SampleClaim(**{**home.__dict__, "place_of_service": "02"})).paid > 0
    (claim,) = claims(SampleClaim(place_of_service="10", lines=[SampleLine(modifiers=("93",))]))
    line = claim.lines[0].model_copy(
        update={"adjudications": [LineAdjudication(payer_id="SIMMCR", paid=D(60), patient_responsibility=D(15))]}
    )
    crossed = claim.model_copy(update={"payer_id": "SIMMCD", "responsibility": "S", "lines": [line]})
    secondary = adjudicate(
        crossed, BOOK.payers["SIMMCD"], credential="LCSW", member=member(), received=RECEIVED, duplicate=False
    )
    assert secondary.status == "2" and ("OA", "23") in {(a.group, a.reason) for a in secondary.lines[0].adjustments}


def test_a_claim_is_denied_when_nothing_on_it_was_allowed() -> None:
    assert decide(SampleClaim(payer_id="SIMMCD", filing="MC")).denied  # an LCSW without HO: CO-4 on its only line
    assert not decide(SampleClaim(), copay=D(0), deductible=D(257), deductible_met=D(0)).denied  # all deductible
    partly = decide(SampleClaim(lines=[SampleLine("90791", charge=D(200)), SampleLine("90834")]), **DEDUCTIBLE_MET)
    assert [line.paid > 0 for line in partly.lines] == [True, False] and not partly.denied  # CO-97 on one line


def test_a_paper_members_claims_are_adjudicated_but_in_no_835_and_neither_are_their_reversals() -> None:
    on_paper, online = claims(SampleClaim(pcn="PAPER1", member_id="PAPER"), SampleClaim(pcn="EDI1", member_id="EDI"))
    members = {
        (SUBMITTER, "SIMMCR", "PAPER"): member(**DEDUCTIBLE_MET, remittance="paper"),
        (SUBMITTER, "SIMMCR", "EDI"): member(**DEDUCTIBLE_MET),
    }
    items = [pending(on_paper, 1), pending(online, 2)]
    outcome = cycle(items, members=members)
    assert set(outcome.results) == {items[0].claim_id, items[1].claim_id} and outcome.paper == {items[0].claim_id}
    assert outcome.results[items[0].claim_id].paid > 0  # the payer decided and pays it, by check
    (remittance,) = outcome.remittances
    assert "CLP*EDI1*" in remittance.content and "PAPER1" not in remittance.content
    prior = Prior(items[0].claim_id, on_paper, "SIMMCR1", RECEIVED, outcome.results[items[0].claim_id])
    (replacement,) = claims(SampleClaim(pcn="PAPER1", member_id="PAPER", frequency="7", original_reference="SIMMCR1"))
    replaced = cycle([pending(replacement, 3, original=prior)], members=members)
    assert replaced.remittances == [] and replaced.reversed == {prior.claim_id}  # the reversal is on paper too
    only_paper = cycle([pending(on_paper, 4)], members=members)
    assert only_paper.remittances == [] and only_paper.balances == {}
