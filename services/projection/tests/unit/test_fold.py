"""The fold on hand-computed visits: balances per party, later payers, denials worked, replacements and
reversals; and the same result for any order the facts come in."""

import random
from decimal import Decimal
from uuid import uuid4

from projection.domain import fold
from projection.kpis import figures_to_kpis, ratio
from projection_testkit import Visit, day, fact


def test_a_primary_payment_leaves_the_patient_their_share_and_writes_off_the_contractual_part() -> None:
    v = Visit(charge="150")
    folded = fold(
        [
            fact(v.created(), day(1)),
            fact(v.posted("80", ("CO", "45", "40"), ("PR", "2", "20"), ("PR", "3", "10")), day(20)),
        ]
    )
    claim = folded.claims[v.claim_id]
    assert (claim.insurance_balance, claim.patient_balance) == (Decimal(0), Decimal(30))
    assert (claim.paid, claim.contractual, claim.patient_responsibility) == (Decimal(80), Decimal(40), Decimal(30))
    assert claim.status == "paid" and not claim.first_denied
    booked = [(e.party, e.kind, e.amount) for e in folded.entries]
    assert booked[:2] == [("insurance", "charge", Decimal(150)), ("insurance", "payment", Decimal(-80))]


def test_the_secondary_takes_over_the_patient_share_and_its_prior_payer_adjustment_books_nothing() -> None:
    v = Visit(charge="150", payer="SIMMCR")
    secondary = uuid4()
    folded = fold(
        [
            fact(v.created(), day(1)),
            fact(v.posted("80", ("CO", "45", "40"), ("PR", "2", "30")), day(20)),
            fact(v.created(claim_id=secondary, payer="SIMBCX", responsibility="secondary"), day(21)),
            fact(
                v.posted("24", ("OA", "23", "120"), ("PR", "2", "6"), payer="SIMBCX", claim_id=secondary, status="2"),
                day(35),
            ),
        ]
    )
    primary, second = folded.claims[v.claim_id], folded.claims[secondary]
    assert (primary.insurance_balance, primary.patient_balance) == (0, 0)
    assert (second.insurance_balance, second.patient_balance) == (0, Decimal(6))  # what the patient still owes
    assert second.denied == 0  # OA-23 is the primary's effect, not a denial


def test_a_denial_stays_owed_until_denial_management_writes_it_off() -> None:
    v, case = Visit(charge="150"), uuid4()
    facts = [
        fact(v.created(), day(1)),
        fact(v.posted("0", ("CO", "197", "150"), outcome="denied"), day(20)),
        fact(v.triaged(case, "authorization", ["CO-197"], "150"), day(20, 13)),
    ]
    claim = fold(facts).claims[v.claim_id]
    assert (claim.outstanding, claim.denied, claim.first_denied, claim.denial_category) == (
        Decimal(150),
        Decimal(150),
        True,
        "authorization",
    )
    worked = fold([*facts, fact(v.resolved(case, "written_off", "150"), day(40))])
    claim = worked.claims[v.claim_id]
    assert (claim.outstanding, claim.written_off) == (0, Decimal(150))
    assert worked.cases[case].resolution == "written_off"


def test_a_replaced_claim_closes_to_zero_and_stays_there() -> None:
    v, replacement = Visit(charge="150"), uuid4()
    folded = fold(
        [
            fact(v.created(), day(1)),
            fact(v.posted("0", ("CO", "4", "150"), outcome="denied"), day(20)),
            fact(v.created(claim_id=replacement, replaces=v.claim_id), day(22)),
            fact(v.posted("120", ("CO", "45", "30"), claim_id=replacement), day(40)),
            fact(v.posted("0", ("CO", "4", "-150"), outcome="reversed"), day(40, 13)),  # the payer undoes the original
        ]
    )
    original, new = folded.claims[v.claim_id], folded.claims[replacement]
    assert (original.status, original.outstanding) == ("replaced", 0)
    assert (new.status, new.outstanding, new.paid) == ("paid", 0, Decimal(120))


def test_a_reversal_reopens_the_balance() -> None:
    v = Visit(charge="150")
    folded = fold(
        [
            fact(v.created(), day(1)),
            fact(v.posted("100", ("CO", "45", "50")), day(20)),
            fact(v.posted("-100", ("CO", "45", "-50"), outcome="reversed", status="22"), day(30)),
        ]
    )
    claim = folded.claims[v.claim_id]
    assert (claim.status, claim.outstanding, claim.paid) == ("reversed", Decimal(150), 0)


def test_any_arrival_order_folds_to_the_same_claims_and_ledger() -> None:
    v, case = Visit(charge="150"), uuid4()
    facts = [
        fact(v.received(), day(0)),
        fact(v.created(), day(1)),
        fact(v.submitted(), day(1)),
        fact(v.accepted(), day(2)),
        fact(v.posted("60", ("CO", "45", "30"), ("CO", "97", "60")), day(20)),
        fact(v.triaged(case, "coding", ["CO-97"], "60"), day(20)),
        fact(v.resolved(case, "contractual"), day(25)),
    ]
    expected = fold(facts)
    for seed in range(20):
        shuffled = facts[:]
        random.Random(seed).shuffle(shuffled)
        assert fold(shuffled) == expected


def test_a_fact_stamped_before_its_claims_creation_is_applied_once_the_claim_is_created() -> None:
    """An event's time is its producer's transaction's start: an eligibility answer's transaction that began first,
    then waited for the plan's lock while the claim was created, voids that claim with an earlier time than the
    creation (seen on the reliability stack: the voided claim's charge stayed counted). Another service's clock
    running behind does the same to a payment."""
    voided, paid = Visit(charge="140"), Visit(charge="150")
    folded = fold([fact(voided.voided(), day(1, 11)), fact(voided.created(), day(1, 13))])
    claim = folded.claims[voided.claim_id]
    assert (claim.status, claim.outstanding, claim.last_event_at) == ("voided", 0, day(1, 13))
    assert sum((e.amount for e in folded.entries), Decimal(0)) == 0
    folded = fold([fact(paid.posted("100", ("CO", "45", "50")), day(1, 11)), fact(paid.created(), day(1, 13))])
    claim = folded.claims[paid.claim_id]
    assert (claim.status, claim.paid, claim.insurance_balance, claim.paid_at) == ("paid", 100, 0, day(1, 13))
    assert min(entry.at for entry in folded.entries) == day(1, 13), "nothing booked before the claim's charge"


def test_kpi_arithmetic_from_figures() -> None:
    figures = {
        "submitted": 20,
        "clean": 19,
        "adjudicated": 10,
        "resolved_first_pass": 9,
        "denied_first": 1,
        "denied_dollars": Decimal(150),
        "adjudicated_charges": Decimal(1500),
        "charges": Decimal(3000),
        "payments": Decimal(1800),
        "contractual": Decimal(600),
        "ar": Decimal(1000),
        "charge_lag": 2.5,
        "payment_lag": 14.25,
        "paid": 9,
    }
    k = figures_to_kpis(figures, 30)
    assert k["clean_claim_rate"][0] == Decimal("0.95") and k["denial_rate"][0] == Decimal("0.1")
    assert k["net_collection_rate"][0] == Decimal("0.75")  # 1800 / (3000 - 600)
    assert k["net_collection_rate_all_parties"][0] == Decimal("0.75")  # no patient collections in the figures
    with_patients = figures_to_kpis({**figures, "patient_collected": Decimal(240)}, 30)
    assert with_patients["net_collection_rate_all_parties"][:2] == (Decimal("0.85"), Decimal(2040))  # 2040 / 2400
    assert k["gross_collection_rate"][0] == Decimal("0.6")
    assert k["days_in_ar"][0] == Decimal("10.0")  # 1000 / (3000 / 30)
    assert k["submission_to_payment_days"][0] == Decimal("14.3")
    assert ratio(1, 0) is None


def test_a_claim_left_wholly_to_the_patients_deductible_is_not_a_denial() -> None:
    v = Visit(charge="95")
    claim = fold(
        [
            fact(v.created(), day(1)),
            fact(v.posted("0", ("CO", "45", "36.62"), ("PR", "1", "58.38"), outcome="denied"), day(20)),
        ]
    ).claims[v.claim_id]
    assert (claim.first_denied, claim.denied, claim.patient_balance) == (False, 0, Decimal("58.38"))
