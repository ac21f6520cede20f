"""What the insurance has left to the patient on a visit, announced when it changes (pure): the ledger is this
fact's one home (docs/money.md §4), and patient billing keeps the patient's account from these announcements."""

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from claimstream_platform.adjustments import PATIENT as PATIENT_CLASSES
from claimstream_platform.adjustments import classify
from claimstream_platform.contracts.projection import PatientShareChanged, ShareReason

from projection.checks import checksum
from projection.model import Fact, Folded, money
from projection.postings import FORWARDING
from projection.repository.folding import EncounterKey


def share_changed(
    key: EncounterKey, folded: Folded, facts: Sequence[Fact], before: tuple[Decimal, Decimal, bool] | None
) -> PatientShareChanged | None:
    """The announcement of the visit as the fold leaves it, or None when it says what the stored fold said
    (`before`: the patient's share, the insurance's open balance, whether the patient is known). The first fold
    with a claim is always announced: a visit the insurance pays in full leaves her nothing, and the copay she paid
    at the desk becomes her credit only once that is said."""
    sums = checksum(folded)
    claims = list(folded.claims.values())
    encounter = folded.encounter
    now = (sums.patient, sums.insurance, bool(encounter and encounter.patient_ref))
    if not claims or now == before:
        return None
    return PatientShareChanged(
        tenant_id=key[0],
        practice_id=next((c.practice_id for c in claims if c.practice_id), None),
        encounter_id=key[1],
        patient_ref=encounter.patient_ref if encounter else None,
        service_date=encounter.service_date if encounter else min(c.service_date for c in claims),
        version=len(facts),
        share=sums.patient,
        charged=sums.charged,
        insurance_paid=sums.paid,
        adjusted=sums.adjusted,
        written_off=sums.written_off,
        insurance_open=sums.insurance,
        reasons=reasons(facts),
    )


def reasons(facts: Sequence[Fact]) -> list[ShareReason]:
    """The patient-responsibility adjustments the payers posted for the visit, net by group and CARC (a reversal's
    negated amounts take back what it reverses), leaving out what a forwarding payer held for the crossover payer."""
    net: defaultdict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for fact in facts:
        d = fact.data
        if fact.type != "payment.posted" or d.get("forwarded") or d.get("claim_status") in FORWARDING:
            continue
        on = date.fromisoformat(d["paid_on"]) if d.get("paid_on") else fact.at.date()
        for a in d["adjustments"]:
            if (a.get("adjustment_class") or classify(a["group"], a["reason"], on)) in PATIENT_CLASSES:
                net[(a["group"], a["reason"])] += money(a["amount"])
    cents = Decimal("0.01")
    return [ShareReason(group=g, reason=r, amount=a.quantize(cents)) for (g, r), a in sorted(net.items()) if a]
