"""Adjudication rules, cost sharing, and the 835: balanced to the cent, valid for pyx12, the same for a seed."""

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from uuid import uuid4

import pytest
from claimstream_platform.x12 import parse_interchange
from clearinghouse_simulator import cycle as cycle_module
from clearinghouse_simulator import plb
from clearinghouse_simulator.adjudication import adjudicate
from clearinghouse_simulator.cycle import CycleOutcome, Prior, run_cycle
from clearinghouse_simulator.plb import Balance
from clearinghouse_simulator.results import Member
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyx12_check import pyx12_problems
from simulator_testkit import (
    BOOK,
    NOW,
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
from x12_samples import SampleClaim, SampleLine, balance_problems


def test_a_copay_plan_charges_the_copay_alone() -> None:
    """Copay, deductible and coinsurance never all fall on one visit: a copay plan's member owes the copay."""
    result = decide(SampleClaim(payer_id="SIMBCX"))  # allowed 112.00 x 0.85 for a social worker = 95.20
    assert result.status == "1"
    assert adjustments(result) == [[("CO", "45", Decimal("24.80")), ("PR", "3", Decimal("25"))]]
    assert (result.lines[0].allowed, result.paid, result.patient_responsibility) == (
        Decimal("95.20"),
        Decimal("70.20"),
        Decimal("25"),
    )
    assert result.deductible_applied == 0 and result.visit_counted


def test_a_deductible_plan_charges_the_deductible_left_then_coinsurance() -> None:
    result = decide(SampleClaim(payer_id="SIMBCX"), copay=Decimal(0))
    assert adjustments(result) == [
        [("CO", "45", Decimal("24.80")), ("PR", "1", Decimal("50")), ("PR", "2", Decimal("4.52"))],
    ]
    assert (result.paid, result.deductible_applied) == (Decimal("40.68"), Decimal("50"))


@pytest.mark.parametrize(
    ("served", "withheld"),
    [(date(2020, 3, 2), "1.24"), (date(2021, 6, 1), None), (date(2022, 5, 2), "0.62"), (date(2026, 3, 2), "1.24")],
)
def test_medicare_payments_carry_sequestration_by_date_of_service(served: date, withheld: str | None) -> None:
    """Allowed 77.33 for a social worker, deductible met, 20 % coinsurance (15.47): 61.86, less 2 % (1 % in the
    spring of 2022, nothing during the public-health emergency's suspension)."""
    result = decide(
        SampleClaim(service_date=served),
        copay=Decimal(0),
        deductible=Decimal("257"),
        deductible_met=Decimal("257"),
        coinsurance=Decimal("0.20"),
        coverage_start=date(2019, 1, 1),
        received=served,
    )
    found = [a.amount for a in result.lines[0].adjustments if (a.group, a.reason) == ("CO", "253")]
    assert found == ([Decimal(withheld)] if withheld else [])
    assert result.paid == Decimal("61.86") - (Decimal(withheld) if withheld else 0)


@pytest.mark.parametrize(
    ("sample", "kwargs", "reason"),
    [
        (SampleClaim(), {"coverage_end": date(2026, 2, 28)}, "27"),
        (SampleClaim(), {"coverage_start": date(2026, 3, 3)}, "26"),
        (SampleClaim(payer_id="SIMAHP", service_date=RECEIVED - timedelta(days=91)), {}, "29"),
        (SampleClaim(payer_id="SIMAHP", service_date=RECEIVED - timedelta(days=90)), {}, None),
        (SampleClaim(service_date=date(2025, 3, 5)), {}, None),  # Medicare: one calendar year, to the day
        (SampleClaim(service_date=date(2025, 3, 4)), {}, "29"),
        (SampleClaim(), {"duplicate": True}, "18"),
        (SampleClaim(payer_id="SIMAHP"), {"credential": "LMHC"}, "170"),
        (SampleClaim(payer_id="SIMMCD", lines=[SampleLine(modifiers=("HO",))]), {"visits_used": 30}, "197"),
        (
            SampleClaim(payer_id="SIMMCD", lines=[SampleLine(modifiers=("HO",))], prior_authorization="PA1"),
            {"visits_used": 30},
            None,
        ),
        (SampleClaim(payer_id="SIMMCD", lines=[SampleLine(modifiers=("HO",))]), {"visits_used": 29}, None),
        (SampleClaim(payer_id="SIMAHP"), {"visits_used": 20}, "119"),  # a hard cap: no authorization pays past it
    ],
)
def test_claim_level_denials(sample: SampleClaim, kwargs: dict[str, object], reason: str | None) -> None:
    kwargs = dict(kwargs)
    credential = str(kwargs.pop("credential", "LCSW"))
    duplicate = bool(kwargs.pop("duplicate", False))
    result = decide(sample, credential=credential, duplicate=duplicate, **kwargs)
    if reason is None:
        assert result.status == "1"
    else:
        assert result.status == "1" and result.paid == 0  # processed as primary, paid nothing (not CLP02 4)
        group = "OA" if reason == "18" else "CO"  # a duplicate is other-adjustment, not contractual
        assert adjustments(result) == [[(group, reason, Decimal("120.00"))]]


@pytest.mark.parametrize(
    ("sample", "credential", "denied"),
    [
        (SampleClaim(lines=[SampleLine("90791", charge=Decimal(200)), SampleLine("90834")]), "LCSW", [None, "97"]),
        (
            SampleClaim(lines=[SampleLine("90791", charge=Decimal(200)), SampleLine("90834", ("59",))]),
            "LCSW",
            [None, None],
        ),
        (SampleClaim(payer_id="SIMMCD", lines=[SampleLine("96130")]), "PhD", ["197"]),
        (SampleClaim(payer_id="SIMMCD", prior_authorization="A1", lines=[SampleLine("96130", ("HP",))]), "PhD", [None]),
        (SampleClaim(place_of_service="10"), "LCSW", ["4"]),
        (SampleClaim(place_of_service="10", lines=[SampleLine(modifiers=("95",))]), "LCSW", [None]),
        (SampleClaim(payer_id="SIMMCD"), "LCSW", ["4"]),
        (SampleClaim(diagnoses=("Z630",)), "LCSW", ["11"]),
        (SampleClaim(lines=[SampleLine("90791")], diagnoses=("Z630",)), "LCSW", ["11"]),  # not only 908xx
        (SampleClaim(lines=[SampleLine("90837", units=2)]), "LCSW", ["151"]),
        (SampleClaim(lines=[SampleLine("97810")]), "LCSW", ["96"]),
    ],
)
def test_line_level_denials(sample: SampleClaim, credential: str, denied: list[str | None]) -> None:
    result = decide(sample, credential=credential, deductible_met=Decimal("500"))
    reasons = [line.adjustments[0].reason if line.paid == 0 and line.adjustments else None for line in result.lines]
    assert reasons == denied


def test_one_835_per_payer_and_payee_that_balances_and_validates() -> None:
    mixed = claims(
        SampleClaim(pcn="A1"),
        SampleClaim(pcn="A2", payer_id="SIMBCX", lines=[SampleLine("90791", charge=Decimal(200)), SampleLine("90834")]),
        SampleClaim(pcn="A3", payer_id="SIMBCX", diagnoses=("Z630",)),
    ) + claims(SampleClaim(pcn="A4", billing_npi="1497758544"))  # another billing provider, another 837
    outcome = cycle([pending(c, n) for n, c in enumerate(mixed)])
    assert sorted((r.payer_id, r.payee_npi, r.claims) for r in outcome.remittances) == [
        ("SIMBCX", "1679576722", 2),
        ("SIMMCR", "1497758544", 1),
        ("SIMMCR", "1679576722", 1),
    ]
    for remittance in outcome.remittances:
        assert balance_problems(remittance.content) == []
        assert pyx12_problems(remittance.content) == []


def test_the_member_accumulates_deductible_and_visits() -> None:
    two = claims(
        SampleClaim(pcn="B1", payer_id="SIMBCX"),
        SampleClaim(pcn="B2", payer_id="SIMBCX", service_date=date(2026, 3, 3)),
    )
    members = {(SUBMITTER, "SIMBCX", "1EG4TE5MK73"): member(copay=Decimal(0))}  # a deductible plan
    outcome = cycle([pending(c, n) for n, c in enumerate(two)], members=members)
    after = outcome.members[(SUBMITTER, "SIMBCX", "1EG4TE5MK73")]
    assert (after.deductible_met, after.visits_used) == (Decimal("500"), 2)
    second = next(r for r in outcome.results.values() if r.lines[0].line.control_number == "B2L1")
    assert "1" not in [a.reason for a in second.lines[0].adjustments if a.group == "PR"]  # deductible already met


def test_the_same_claim_twice_in_one_cycle_pays_once() -> None:
    same = claims(SampleClaim(pcn="D1"), SampleClaim(pcn="D2"))
    outcome = cycle([pending(c, n) for n, c in enumerate(same)])
    assert sorted(r.paid > 0 for r in outcome.results.values()) == [False, True]
    denied = next(r for r in outcome.results.values() if r.paid == 0)
    assert (denied.status, [(a.group, a.reason) for a in denied.lines[0].adjustments]) == ("1", [("OA", "18")])
    assert denied.lines[0].remarks == []  # N522 means a crossover duplicate: not this


def test_replacement_reverses_the_original_and_void_only_reverses() -> None:
    (original,) = claims(SampleClaim(pcn="R1"))
    first = cycle([pending(original, 1)])
    prior = Prior(uuid4(), original, "SIMMCR1", RECEIVED, next(iter(first.results.values())))
    (replacement,) = claims(
        SampleClaim(pcn="R1", frequency="7", original_reference="SIMMCR1", lines=[SampleLine(charge=Decimal("130.00"))])
    )
    (void,) = claims(SampleClaim(pcn="R1", frequency="8", original_reference="SIMMCR1"))
    replaced = cycle([pending(replacement, 2, original=prior)])
    text = replaced.remittances[0].content
    assert "CLP*R1*22*-120*" in text and "CLP*R1*1*130*" in text
    assert replaced.reversed == {prior.claim_id}
    assert balance_problems(text) == [] and pyx12_problems(text) == []
    voided = cycle([pending(void, 3, original=prior)])
    text = voided.remittances[0].content
    assert "CLP*R1*22*-120*" in text and "CLP*R1*1*" not in text
    # the balance carried forward names the reversed claim by the payer's number
    assert "BPR*H*0*C*NON" in text and "PLB*1679576722*20261231*FB:SIMMCR1*-" in text
    assert voided.balances[(SUBMITTER, "SIMMCR", "1679576722")][0].reference == "SIMMCR1"
    assert balance_problems(text) == [] and pyx12_problems(text) == []


MIPS_RATES = [(Decimal("0.09"), Decimal(0)), (Decimal(0), Decimal("0.0215")), (Decimal(0), Decimal(0))]
codes = st.sampled_from(["90791", "90832", "90834", "90837", "90833", "90785", "90853", "99214", "96130", "H0004"])
modifier_sets = st.lists(st.sampled_from(["95", "93", "GT", "HO", "HP", "59", "25"]), max_size=3, unique=True)
lines = st.builds(
    SampleLine,
    code=codes,
    modifiers=modifier_sets.map(tuple),
    charge=st.decimals(min_value=Decimal("1.00"), max_value=Decimal("900.00"), places=2),
    units=st.integers(min_value=1, max_value=3),
)
sample_claims = st.builds(
    SampleClaim,
    payer_id=st.sampled_from(["SIMMCR", "SIMMCD", "SIMBCX", "SIMAHP", "SIMBHO"]),
    place_of_service=st.sampled_from(["11", "02", "10", "53"]),
    diagnoses=st.sampled_from([("F331",), ("F411", "Z630"), ("Z630", "F331"), ("F4310",)]),
    lines=st.lists(lines, min_size=1, max_size=4),
    rendering_taxonomy=st.sampled_from(["1041C0700X", "2084P0800X", "103TC0700X", "101YM0800X", "106H00000X"]),
    rendering_npi=st.sampled_from([npi_with_mips(rates) for rates in MIPS_RATES]),
    prior_authorization=st.sampled_from(["", "AUTH1"]),
)
member_states = st.builds(
    member,
    deductible_met=st.decimals(min_value=Decimal(0), max_value=Decimal(600), places=2),
    visits_used=st.integers(min_value=0, max_value=35),
    copay=st.sampled_from([Decimal(0), Decimal("3"), Decimal("25"), Decimal("40")]),
    coinsurance=st.sampled_from([Decimal(0), Decimal("0.1"), Decimal("0.2")]),
    remittance=st.sampled_from(["electronic", "electronic", "paper"]),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batch=st.lists(sample_claims, min_size=1, max_size=5), state=member_states, seed=st.integers(0, 2**32))
def test_every_835_balances_for_any_claims_and_seed(batch: list[SampleClaim], state: Member, seed: int) -> None:
    for n, sample in enumerate(batch):
        sample.pcn = f"P{n}"
    read = claims(*batch)
    items = [pending(c, n) for n, c in enumerate(read)]
    outcome = cycle(items, seed=seed, members={(SUBMITTER, c.payer_id, c.member_id): state for c in read})
    for remittance in outcome.remittances:
        assert balance_problems(remittance.content) == []
    again = cycle(items, seed=seed, members={(SUBMITTER, c.payer_id, c.member_id): state for c in read})
    assert [r.content for r in again.remittances] == [r.content for r in outcome.remittances]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batch=st.lists(sample_claims, min_size=1, max_size=3), seed=st.integers(0, 2**32))
def test_every_835_validates_with_pyx12(batch: list[SampleClaim], seed: int) -> None:
    for n, sample in enumerate(batch):
        sample.pcn = f"V{n}"
    read = claims(*batch)
    for remittance in cycle([pending(c, n) for n, c in enumerate(read)], seed=seed).remittances:
        assert pyx12_problems(remittance.content) == []


def test_interest_comes_from_the_seed() -> None:
    read = claims(SampleClaim(pcn="S1"))
    items = [pending(read[0], 1)]
    with_interest = [s for s in range(200) if "PLB*" in cycle(items, seed=s).remittances[0].content]
    assert 0 < len(with_interest) < 40  # about 5 % of seeds
    text = cycle(items, seed=with_interest[0]).remittances[0].content
    assert "L6:SIMMCR1*-" in text and balance_problems(text) == []  # interest on the claim it names


def test_the_balance_check_itself_catches_a_cent() -> None:
    outcome = cycle([pending(claims(SampleClaim(pcn="C1", payer_id="SIMBCX"))[0], 1)])
    text = outcome.remittances[0].content
    assert balance_problems(text) == []
    assert "CAS*CO*45*24.8~" in text
    assert balance_problems(text.replace("CAS*CO*45*24.8~", "CAS*CO*45*24.81~")) != []
    assert balance_problems(text.replace("BPR*I*70.2*", "BPR*I*70.21*")) != []


def test_an_add_on_is_paid_beside_a_paid_primary_and_denied_without_one() -> None:
    """S4: an add-on whose every primary was denied is denied too (CO-B15), never paid alone."""
    therapy = SampleClaim(lines=[SampleLine("90791", charge=Decimal(200)), SampleLine("90785", charge=Decimal(20))])
    result = decide(therapy, deductible_met=Decimal("500"))
    assert [line.paid > 0 for line in result.lines] == [True, True]
    alone = SampleClaim(lines=[SampleLine("97810"), SampleLine("90785", charge=Decimal(20))])  # 97810 not covered
    denied = decide(alone, deductible_met=Decimal("500"))
    assert [[a.reason for a in line.adjustments] for line in denied.lines] == [["96"], ["B15"]]


def test_a_forward_balance_is_taken_back_from_the_next_835s_until_recovered() -> None:
    key = (SUBMITTER, "SIMMCR", "1679576722")
    (claim,) = claims(SampleClaim(pcn="F1", payer_id="SIMMCR"))
    item = pending(claim, 7)
    controls = iter(range(7000, 7100))

    def next_cycle(owed: Decimal) -> CycleOutcome:
        return run_cycle(
            [item],
            book=BOOK,
            members={(SUBMITTER, "SIMMCR", claim.member_id): member(copay=0)},
            reprocessable={},
            seed=7,
            now=NOW,
            next_control=lambda: str(next(controls)),
            owed={key: [Balance("SIMMCR3", owed)]},
        )

    paid = next_cycle(Decimal(0)).remittances[0].total
    small = next_cycle(Decimal("10.00"))  # all of it comes back now
    text = small.remittances[0].content
    assert "PLB*1679576722*20261231*FB:SIMMCR3*10~" in text and small.balances[key] == []
    assert small.remittances[0].total == paid - Decimal("10.00") and balance_problems(text) == []
    large = next_cycle(paid + Decimal("5.00"))  # more than this 835 pays: the rest waits for the next one
    assert large.remittances[0].total == 0 and large.balances[key] == [Balance("SIMMCR3", Decimal("5.00"))]
    assert balance_problems(large.remittances[0].content) == [] and pyx12_problems(large.remittances[0].content) == []


def test_an_overpayment_is_recovered_as_wo_against_the_claim_it_was_paid_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(plb, "RECOUPMENT_CHANCE", 1.0)
    monkeypatch.setattr(cycle_module, "REPROCESS_CHANCE", 0.0)
    monkeypatch.setattr(plb, "INTEREST_CHANCE", 1.0)
    monkeypatch.setattr(plb, "INTEREST_APART_CHANCE", 0.0)
    (earlier,) = claims(SampleClaim(pcn="W0"))
    first = cycle([pending(earlier, 1)])
    prior = Prior(uuid4(), earlier, "SIMMCR1", RECEIVED, next(iter(first.results.values())))
    (claim,) = claims(SampleClaim(pcn="W1", service_date=date(2026, 3, 3)))
    controls = iter(range(8000, 8100))
    outcome = run_cycle(
        [pending(claim, 2)],
        book=BOOK,
        members={(SUBMITTER, "SIMMCR", claim.member_id): member()},
        seed=7,
        now=NOW,
        reprocessable={(SUBMITTER, "SIMMCR", "1679576722"): [prior]},
        next_control=lambda: str(next(controls)),
    )
    text = outcome.remittances[0].content
    (segment,) = [s for s in text.split("~\n") if s.startswith("PLB*")]  # one PLB, six pairs at most
    assert segment.split("*")[3] == "L6:SIMMCR2" and segment.split("*")[5] == "WO:SIMMCR1"
    assert balance_problems(text) == [] and pyx12_problems(text) == []


def test_the_variety_real_835s_have_downcodes_unechoed_modifiers_and_checks() -> None:
    """The commercial payer pays some 90837s as 90834 (SVC06 names the code billed) and does not echo modifiers;
    Medicaid pays by paper check. Each 835 still balances and validates."""
    session = [SampleLine("90837", modifiers=("95",), charge=Decimal(200))]
    sessions = [
        SampleClaim(pcn=f"D{n}", payer_id="SIMBCX", place_of_service="10", member_id=f"1EG4TE5MK{n:02d}", lines=session)
        for n in range(40)
    ]
    medicaid = [
        SampleClaim(
            pcn="K1",
            payer_id="SIMMCD",
            member_id="MCD1234567",
            filing="MC",
            lines=[SampleLine("90834", modifiers=("HO",))],
        )
    ]
    outcome = cycle([pending(c, n) for n, c in enumerate(claims(*sessions) + claims(*medicaid))])
    by_payer = {r.payer_id: r.content for r in outcome.remittances}
    commercial = by_payer["SIMBCX"]
    downcoded = commercial.count("SVC*HC:90834*200*")
    assert 0 < downcoded < 40 and commercial.count("*HC:90837:95~") == downcoded  # SVC06 keeps the code billed
    assert "SVC*HC:90837:95*" not in commercial  # the paid code is written without the modifiers billed
    assert "BPR*C*" in by_payer["SIMMCD"] and "*CHK*" in by_payer["SIMMCD"]
    for content in by_payer.values():
        assert balance_problems(content) == []
        assert pyx12_problems(content) == []


def test_a_reprocessed_claim_is_paid_again_under_a_new_payer_claim_number(monkeypatch: pytest.MonkeyPatch) -> None:
    (claim,) = claims(SampleClaim(pcn="RP1"))
    paid = adjudicate(
        claim, BOOK.payers["SIMMCR"], credential="LCSW", member=member(), received=RECEIVED, duplicate=False
    )
    prior = Prior(uuid4(), claim, "SIMMCR1000-1", RECEIVED, paid)
    monkeypatch.setattr(cycle_module, "REPROCESS_CHANCE", 1.0)
    (new,) = claims(SampleClaim(pcn="RP2", member_id="1EG4TE5MK99"))
    outcome = run_cycle(
        [pending(new, 1)],
        book=BOOK,
        members={(SUBMITTER, "SIMMCR", "1EG4TE5MK99"): member()},
        reprocessable={(SUBMITTER, "SIMMCR", new.billing_npi): [prior]},
        seed=7,
        now=NOW,
        next_control=lambda: "7001",
    )
    assert outcome.renumbered == {prior.claim_id: "SIMMCR1000-2"}
    (content,) = [r.content for r in outcome.remittances]
    assert "CLP*RP1*22*" in content and "*SIMMCR1000-1*" in content  # the reversal names the old number
    assert "CLP*RP1*1*" in content and "*SIMMCR1000-2*" in content  # the payment again, renumbered
    assert balance_problems(content) == []


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


def test_bundled_835s_put_every_payers_interchange_of_a_submitter_into_one_file() -> None:
    from clearinghouse_simulator.repository.cycle import _remittance_files

    mixed = claims(SampleClaim(pcn="B1"), SampleClaim(pcn="B2", payer_id="SIMBCX", member_id="BX1"))
    outcome = cycle([pending(claim, n) for n, claim in enumerate(mixed, start=20)])
    assert len(outcome.remittances) == 2
    assert len(_remittance_files(outcome, bundle_835s=False)) == 2
    (bundled,) = _remittance_files(outcome, bundle_835s=True)
    parts = ["ISA" + part for part in bundled["content"].split("ISA")[1:]]
    assert len(parts) == 2 and all(parse_interchange(part).groups for part in parts)
    assert sorted(part.split("REF*2U*")[1][:6] for part in parts) == ["SIMBCX", "SIMMCR"]  # two payers, one file


def test_interest_paid_apart_comes_in_an_835_of_its_own_with_no_claims(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(plb, "INTEREST_CHANCE", 1.0)
    monkeypatch.setattr(plb, "INTEREST_APART_CHANCE", 1.0)
    (claim,) = claims(SampleClaim(pcn="I1"))
    outcome = cycle([pending(claim, 30)], members={(SUBMITTER, "SIMMCR", claim.member_id): member(deductible_met=500)})
    claims_835, interest_835 = outcome.remittances
    assert claims_835.claims == 1 and "PLB*" not in claims_835.content
    assert interest_835.claims == 0 and "CLP*" not in interest_835.content and "*L6:SIMMCR30*-" in interest_835.content
    assert interest_835.total > 0 and claims_835.total == outcome.results[next(iter(outcome.results))].paid
    for remittance in outcome.remittances:
        assert balance_problems(remittance.content) == [] and pyx12_problems(remittance.content) == []


def test_the_hmo_denies_telehealth_billed_at_the_office_place_of_service() -> None:
    office = SampleClaim(payer_id="SIMAHP", place_of_service="11", lines=[SampleLine(modifiers=("95",))])
    (line,) = decide(office, copay=Decimal(0)).lines
    assert [(a.group, a.reason) for a in line.adjustments] == [("CO", "5")] and line.remarks == ["M77"]
    home = SampleClaim(payer_id="SIMAHP", place_of_service="02", lines=[SampleLine(modifiers=("95",))])
    assert decide(home, copay=Decimal(0)).paid > 0


def test_a_split_claim_is_paid_in_two_835s_each_balanced_and_the_add_on_stays_with_its_primary() -> None:
    from clearinghouse_simulator.split import split

    lines = [SampleLine("90834"), SampleLine("90785", charge=Decimal("20")), SampleLine("90832", charge=Decimal(95))]
    split_pcn = next(f"S{n}" for n in range(2000) if split(claims(SampleClaim(pcn=f"S{n}", lines=lines))[0]))
    (claim,) = claims(SampleClaim(pcn=split_pcn, lines=lines))
    assert split(claims(SampleClaim(pcn=split_pcn, lines=lines[:1]))[0]) is None  # one line: never split
    item = pending(claim, 40)
    first = cycle([item], members={(SUBMITTER, "SIMMCR", claim.member_id): member(deductible_met=500)})
    rest = first.splits[item.claim_id]
    (paid_now,) = first.results.values()
    assert [r.line.code for r in paid_now.lines] == ["90834", "90785"]  # the add-on with its primary
    assert [line.code for line in rest.lines] == ["90832"] and rest.patient_control_number == split_pcn
    later = cycle([pending(rest, 41)])
    texts = [first.remittances[0].content, later.remittances[0].content]
    assert f"CLP*{split_pcn}*1*140*" in texts[0] and f"CLP*{split_pcn}*1*95*" in texts[1]
    for text in texts:
        assert balance_problems(text) == [] and pyx12_problems(text) == []


def test_the_same_claim_from_two_submitters_in_one_cycle_is_paid_to_each() -> None:
    (claim,) = claims(SampleClaim(pcn="T1"))
    mine, theirs = pending(claim, 1), replace(pending(claim, 2), submitter=uuid4())
    members = {(item.submitter, "SIMMCR", claim.member_id): member() for item in (mine, theirs)}
    outcome = cycle([mine, theirs], members=members)
    assert all(result.paid > 0 for result in outcome.results.values())


def test_a_stored_adjudication_keeps_the_code_paid_so_a_later_reversal_names_it() -> None:
    from clearinghouse_simulator.results import adjudication_from_json, adjudication_to_json, reversal

    downcoded = next(
        result
        for result in (
            decide(SampleClaim(pcn=f"DC{n}", payer_id="SIMBCX", lines=[SampleLine("90837")])) for n in range(60)
        )
        if result.lines[0].paid_code
    )
    stored = adjudication_from_json(adjudication_to_json(downcoded))
    assert stored.lines[0].paid_code == "90834" and reversal(stored).lines[0].paid_code == "90834"
