"""A replaced or voided claim reversed, a reprocessed claim paid again, and what the payer takes back: forward
balances and overpayments recovered from later 835s."""

from datetime import date
from decimal import Decimal
from uuid import uuid4

import pytest
from clearinghouse_simulator import cycle as cycle_module
from clearinghouse_simulator import plb
from clearinghouse_simulator.adjudication import adjudicate
from clearinghouse_simulator.cycle import CycleOutcome, Prior, run_cycle
from clearinghouse_simulator.plb import Balance
from pyx12_check import pyx12_problems
from simulator_testkit import (
    BOOK,
    NOW,
    RECEIVED,
    SUBMITTER,
    claims,
    cycle,
    decide,
    member,
    pending,
)
from x12_samples import SampleClaim, SampleLine, balance_problems


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
