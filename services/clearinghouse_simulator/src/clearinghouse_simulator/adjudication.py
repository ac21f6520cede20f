"""Payer adjudication: a claim, the payer's profile and the member's benefits in, paid amounts and CARC/RARC out.

Pure and deterministic. Every line balances by construction: charge - adjustments = paid. The order is a
payer's: claim-level denials, then line denials (`edits.py`), then pricing: the allowed amount and its
contractual reduction, the member's cost sharing (a later payer's coordination instead), and the payer's
adjustments to what it pays (`pricing.py`).
"""

from datetime import date
from decimal import Decimal

from claimstream_platform.x12.p837 import Claim

from clearinghouse_simulator import edits, pricing
from clearinghouse_simulator.payers import PayerProfile
from clearinghouse_simulator.results import ZERO, Adjudication, LineResult, Member

PROCESSED_AS = {"P": "1", "S": "2", "T": "3"}  # CLP02 by the billed payer's place (SBR01)


def adjudicate(
    claim: Claim,
    profile: PayerProfile,
    *,
    credential: str | None,
    member: Member,
    received: date,
    duplicate: bool,
) -> Adjudication:
    results = [LineResult(line) for line in claim.lines]
    service_date = claim.first_service_date or received
    status = PROCESSED_AS.get(claim.responsibility, "1")
    denial = edits.claim_denial(
        profile,
        credential,
        member,
        received=received,
        service_date=service_date,
        duplicate=duplicate,
        authorized=bool(claim.prior_authorization),
    )
    if denial is not None:
        for result in results:
            result.deny(*denial)
        # processed (as primary, secondary...) and paid nothing: CLP02 4 is only for a patient the payer does
        # not recognise
        return Adjudication(status, results)
    _deny_lines(claim, results, profile, credential)
    deductible_applied = _price(claim, results, profile, credential, member, service_date)
    payable = any(r.allowed > 0 for r in results)
    return Adjudication(status, results, deductible_applied, visit_counted=payable)


def _deny_lines(claim: Claim, results: list[LineResult], profile: PayerProfile, credential: str | None) -> None:
    for result in results:
        line_denial = edits.line_denial(claim, result.line, profile, credential)
        if line_denial is not None:
            result.deny(*line_denial)
    edits.deny_a_line_not_medically_necessary(claim, results, profile)
    edits.deny_add_ons_without_a_paid_primary(results)


def _price(
    claim: Claim,
    results: list[LineResult],
    profile: PayerProfile,
    credential: str | None,
    member: Member,
    service_date: date,
) -> Decimal:
    """Price the lines still payable; returns the deductible applied."""
    discount = pricing.discounted(claim, profile, service_date)
    for result in results:
        if not result.adjustments:
            downcode = pricing.downcoded(claim, result.line, profile)
            pricing.price(result, profile, credential, downcode=downcode, discount=discount)
    allowed = [r for r in results if r.allowed > 0]
    if PROCESSED_AS.get(claim.responsibility, "1") == "1":
        deductible_applied = pricing.share_costs(allowed, member)
    else:
        deductible_applied = ZERO
        pricing.coordinate(allowed)
    npi = claim.rendering_npi or claim.billing_npi
    pricing.adjust_payments([r for r in results if r.paid > 0], profile, service_date, npi)
    return deductible_applied
