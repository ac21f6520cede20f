"""Adjudication rules and cost sharing, claim and line denials, and how a cycle groups claims into 835s (one per
payer and payee, bundled, split, interest apart). Balance and pyx12 properties: test_835_balance.py."""

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from uuid import uuid4

import pytest
from claimstream_platform.x12 import parse_interchange
from clearinghouse_simulator import plb
from pyx12_check import pyx12_problems
from simulator_testkit import (
    RECEIVED,
    SUBMITTER,
    adjustments,
    claims,
    cycle,
    decide,
    member,
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


def test_an_add_on_is_paid_beside_a_paid_primary_and_denied_without_one() -> None:
    """S4: an add-on whose every primary was denied is denied too (CO-B15), never paid alone."""
    therapy = SampleClaim(lines=[SampleLine("90791", charge=Decimal(200)), SampleLine("90785", charge=Decimal(20))])
    result = decide(therapy, deductible_met=Decimal("500"))
    assert [line.paid > 0 for line in result.lines] == [True, True]
    alone = SampleClaim(lines=[SampleLine("97810"), SampleLine("90785", charge=Decimal(20))])  # 97810 not covered
    denied = decide(alone, deductible_met=Decimal("500"))
    assert [[a.reason for a in line.adjustments] for line in denied.lines] == [["96"], ["B15"]]


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
