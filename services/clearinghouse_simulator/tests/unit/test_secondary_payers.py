"""Coordination of benefits: a secondary pays what the patient owes after the primary, up to its own allowed, and
Medicare crosses a dual eligible's claim over to Medicaid."""

from decimal import Decimal

from clearinghouse_simulator.adjudication import adjudicate
from pyx12_check import pyx12_problems
from simulator_testkit import (
    BOOK,
    RECEIVED,
    SUBMITTER,
    claims,
    cycle,
    member,
    pending,
)
from x12_samples import SampleClaim, balance_problems


def test_a_secondary_pays_what_the_patient_owes_after_the_primary_up_to_its_own_allowed() -> None:
    """Billed with the primary's payment (2430): CLP02 2, OA-23 for the primary's effect, balanced."""
    from claimstream_platform.x12.p837_model import LineAdjudication

    (primary_claim,) = claims(SampleClaim(payer_id="SIMBCX", payer_name="SIMULATED BLUE", filing="BL", member_id="B1"))
    paid_by_primary = [LineAdjudication(payer_id="SIMMCR", paid=Decimal("70"), patient_responsibility=Decimal("30"))]
    line = primary_claim.lines[0].model_copy(update={"adjudications": paid_by_primary})
    secondary = primary_claim.model_copy(update={"responsibility": "S", "lines": [line]})
    result = adjudicate(
        secondary, BOOK.payers["SIMBCX"], credential="LCSW", member=member(), received=RECEIVED, duplicate=False
    )
    (only,) = result.lines
    allowed = only.allowed
    assert result.status == "2" and allowed > Decimal("70")
    assert only.paid == min(Decimal("30"), allowed - Decimal("70"))
    assert [(a.group, a.reason) for a in only.adjustments][0] == ("OA", "23")
    assert only.line.charge - sum(a.amount for a in only.adjustments) == only.paid
    assert result.deductible_applied == 0  # the secondary's own cost sharing is not applied again


def test_a_secondary_whose_allowed_is_below_the_primarys_payment_pays_nothing_and_leaves_the_patient_share() -> None:
    from claimstream_platform.x12.p837_model import LineAdjudication

    (claim,) = claims(SampleClaim(payer_id="SIMMCD", payer_name="SIMULATED MEDICAID", filing="MC", member_id="M1"))
    paid_by_primary = [LineAdjudication(payer_id="SIMMCR", paid=Decimal("110"), patient_responsibility=Decimal("10"))]
    line = claim.lines[0].model_copy(update={"adjudications": paid_by_primary})
    tertiary = claim.model_copy(update={"responsibility": "T", "lines": [line]})
    result = adjudicate(
        tertiary, BOOK.payers["SIMMCD"], credential="MD", member=member(), received=RECEIVED, duplicate=False
    )
    (only,) = result.lines
    assert result.status == "3" and only.paid == 0
    assert [(a.group, a.reason, a.amount) for a in only.adjustments] == [
        ("OA", "23", Decimal("110.00")),
        ("PR", "2", Decimal("10")),
    ]


def test_medicare_crosses_a_dual_eligibles_claim_over_to_medicaid_which_pays_it_next() -> None:
    """CLP02 19 with NM1*TT and MOA MA18 in Medicare's 835; Medicaid's claim carries Medicare's payment per line."""
    from claimstream_platform.x12.p837_model import OtherPayer

    (claim,) = claims(SampleClaim(pcn="X1"))
    dual = claim.model_copy(
        update={"other_payers": [OtherPayer(responsibility="S", payer_id="SIMMCD", member_id="MCD42")]}
    )
    item = pending(dual, 11)
    outcome = cycle([item], members={(SUBMITTER, "SIMMCR", claim.member_id): member(copay=0, deductible_met=0)})
    result = outcome.results[item.claim_id]
    assert result.status == "19" and result.crossover == ("SIMMCD", "Simulated State Medicaid")
    text = outcome.remittances[0].content
    assert "NM1*TT*2*SIMULATED STATE MEDICAID*****PI*SIMMCD~" in text and "MOA***MA18~" in text
    assert "REF*2U*SIMMCR~" in text
    assert balance_problems(text) == [] and pyx12_problems(text) == []
    forwarded = outcome.crossovers[item.claim_id]
    assert (forwarded.payer_id, forwarded.member_id, forwarded.responsibility) == ("SIMMCD", "MCD42", "S")
    assert forwarded.patient_control_number == "X1"  # the provider's CLM01: Medicaid's 835 names it
    (line,) = forwarded.lines
    (by_medicare,) = line.adjudications
    assert by_medicare.paid == result.paid and by_medicare.patient_responsibility == result.patient_responsibility
    later = cycle([pending(forwarded, 12)], members={(SUBMITTER, "SIMMCD", "MCD42"): member(copay=0)})
    (paid_by_medicaid,) = later.results.values()
    assert paid_by_medicaid.status == "2" and not later.crossovers


def test_no_crossover_without_a_crossover_secondary_or_when_the_patient_owes_nothing() -> None:
    from claimstream_platform.x12.p837_model import OtherPayer

    (claim,) = claims(SampleClaim(pcn="X2"))
    blue = claim.model_copy(update={"other_payers": [OtherPayer(responsibility="S", payer_id="SIMBCX")]})
    item = pending(blue, 13)
    outcome = cycle([item])
    assert outcome.results[item.claim_id].status == "1" and not outcome.crossovers
