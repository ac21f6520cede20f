"""Crossovers (COBA): a primary payer that forwards a paid claim to the patient's secondary itself. Pure.

Medicare forwards the claims of dual eligibles to Medicaid: its 835 says so (CLP02 19, `NM1*TT` the crossover
payer, `MOA` MA18), and the provider does not bill the secondary. The claim the secondary receives is the
primary's, with the primary's payment on every line (as a 2430 would carry it); the secondary pays it in a
later cycle, in its own 835, under the provider's CLM01.
"""

from decimal import Decimal

from claimstream_platform.x12.p837 import Claim
from claimstream_platform.x12.p837_model import LineAdjudication, OtherPayer

from clearinghouse_simulator.payers import PayerBook
from clearinghouse_simulator.results import Adjudication

FORWARDED_AS_PRIMARY = "19"
MA18 = "MA18"  # the claim information is also being forwarded to the supplemental insurer


def forward(claim: Claim, result: Adjudication, book: PayerBook) -> Claim | None:
    """When the payer crosses this claim over: `result` is marked forwarded, and the secondary's claim returned."""
    profile = book.payers[claim.payer_id]
    secondary = next((o for o in claim.other_payers if o.responsibility == "S"), None)
    if result.status != "1" or secondary is None or secondary.payer_id not in profile.crossover_to:
        return None
    if result.patient_responsibility <= 0 or secondary.payer_id not in book.payers:
        return None  # nothing left for the secondary to pay: nothing to forward
    target = book.payers[secondary.payer_id]
    result.status, result.crossover = FORWARDED_AS_PRIMARY, (target.payer_id, target.name)
    lines = []
    for line_result in result.lines:
        owed = sum((a.amount for a in line_result.adjustments if a.group == "PR"), Decimal(0))
        paid = LineAdjudication(payer_id=claim.payer_id, paid=line_result.paid, patient_responsibility=owed)
        lines.append(line_result.line.model_copy(update={"adjudications": [paid]}))
    primary = OtherPayer(
        responsibility="P",
        payer_id=claim.payer_id,
        member_id=claim.member_id,
        paid=result.paid,
        patient_responsibility=result.patient_responsibility,
    )
    return claim.model_copy(
        update={
            "payer_id": target.payer_id,
            "payer_name": target.name,
            "member_id": secondary.member_id or claim.member_id,
            "filing_indicator": target.claim_filing_indicator,
            "responsibility": "S",
            "other_payers": [primary],
            "lines": lines,
        }
    )
