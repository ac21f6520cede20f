"""What the insurance has left to the patient on a visit, announced when it changes (pure): the ledger is this
fact's one home (docs/money.md §4), and patient billing keeps the patient's account from these announcements."""

from decimal import Decimal

from claimstream_platform.contracts.projection import PatientShareChanged

from projection.checks import checksum
from projection.model import Folded
from projection.repository.folding import EncounterKey


def share_changed(key: EncounterKey, folded: Folded, facts: int, before: Decimal) -> PatientShareChanged | None:
    """The announcement of the visit's new share, or None when the fold left it as it was (`before`)."""
    sums = checksum(folded)
    claims = list(folded.claims.values())
    if sums.patient == before or not claims:
        return None
    encounter = folded.encounter
    return PatientShareChanged(
        tenant_id=key[0],
        practice_id=next((c.practice_id for c in claims if c.practice_id), None),
        encounter_id=key[1],
        patient_ref=encounter.patient_ref if encounter else None,
        service_date=encounter.service_date if encounter else min(c.service_date for c in claims),
        version=facts,
        share=sums.patient,
        charged=sums.charged,
        insurance_paid=sums.paid,
        adjusted=sums.adjusted,
        written_off=sums.written_off,
        insurance_open=sums.insurance,
    )
