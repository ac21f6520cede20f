"""A payer's pricing of the lines it pays, pure: the allowed amount and the contractual reduction to it, the
member's cost sharing (or, for a later payer, coordination with the earlier ones), then the payment adjustments
Medicare makes to what it pays (MIPS, sequestration). Every step keeps each line balanced: charge - adjustments =
paid.

- Allowed amount by code (or the code it pays instead, when it downcodes) and the credential's factor. The charge
  over it is CO-45, or CO-131 on the share of claims a payer prices under a claim-specific negotiated discount.
- Cost sharing as plans charge it, never all three at once: a copay plan the visit's copay alone (PR-3); otherwise
  the deductible left (PR-1), then coinsurance on the rest (PR-2). A claim whose whole allowed amount goes to the
  deductible is paid 0 with CO-45 and PR-1 only.
- MIPS: a penalized clinician's payment less CO-237, a rewarded one's more by CO-144 as a negative amount (money
  added), each with N807; then sequestration withholds CO-253 from what is paid.
"""

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from claimstream_platform.x12.p837 import Claim, Line

from clearinghouse_simulator.payers import PayerProfile
from clearinghouse_simulator.results import CENT, ZERO, Adjustment, LineResult, Member
from clearinghouse_simulator.shares import share

MIPS_REMARK = "N807"  # a payment adjustment based on the Merit-based Incentive Payment System


def downcoded(claim: Claim, line: Line, profile: PayerProfile) -> str | None:
    """The code this payer pays instead of the one billed, for its share of claims (chosen by claim number)."""
    paid = profile.downcodes.get(line.code)
    if paid is None or paid not in profile.allowed:
        return None
    return paid if share(claim.patient_control_number) < profile.downcode_percent else None


def discounted(claim: Claim, profile: PayerProfile, service_date: date) -> bool:
    """Whether the payer prices this claim under a claim-specific negotiated discount (chosen by claim number)."""
    return share("negotiated-discount", claim.patient_control_number) < profile.discount_percent_on(service_date)


def price(
    result: LineResult, profile: PayerProfile, credential: str | None, *, downcode: str | None, discount: bool = False
) -> None:
    line = result.line
    factor = profile.credential_factor.get(credential or "", Decimal(1))
    result.paid_code = downcode
    allowed = min((profile.allowed[downcode or line.code] * line.units * factor).quantize(CENT), line.charge)
    result.allowed = result.paid = allowed
    if line.charge > allowed:
        result.adjustments.append(Adjustment("CO", "131" if discount else "45", line.charge - allowed))


def share_costs(payable: Sequence[LineResult], member: Member) -> Decimal:
    """A copay plan: the copay once per visit, nothing else. Otherwise the deductible left, then coinsurance.
    Returns the deductible applied."""
    copay_left = member.copay
    deductible_left = ZERO if member.copay > 0 else max(member.deductible - member.deductible_met, ZERO)
    applied = ZERO
    for result in payable:
        remaining = result.allowed
        copay = min(copay_left, remaining)
        copay_left -= copay
        deductible = min(deductible_left, remaining)
        deductible_left -= deductible
        applied += deductible
        coinsurance = ZERO if member.copay > 0 else ((remaining - deductible) * member.coinsurance).quantize(CENT)
        for reason, amount in (("3", copay), ("1", deductible), ("2", coinsurance)):
            if amount > 0:
                result.adjust("PR", reason, amount)
    return applied


def coordinate(payable: Sequence[LineResult]) -> None:
    """A later payer (COB, non-duplication): it pays what the patient still owes after the earlier payers, up
    to its own allowed amount less what they paid. The earlier payers' effect is OA-23; what it leaves the
    patient stays PR-2. A line no earlier payer adjudicated is paid as its allowed amount."""
    for result in payable:
        earlier = result.line.adjudications
        if not earlier:
            result.paid = result.allowed
            continue
        owed = earlier[-1].patient_responsibility
        prior_paid = sum((a.paid for a in earlier), ZERO)
        pays = min(owed, max(result.allowed - prior_paid, ZERO))
        charge = result.line.charge
        result.adjustments = [Adjustment("OA", "23", charge - owed)] if charge > owed else []
        if owed > pays:
            result.adjustments.append(Adjustment("PR", "2", owed - pays))
        result.paid = pays


def adjust_payments(paid: Sequence[LineResult], profile: PayerProfile, service_date: date, npi: str) -> None:
    """The payer's adjustments to what it pays: the rendering clinician's MIPS adjustment, then sequestration."""
    penalty, incentive = profile.mips_on(service_date, npi)
    sequestration = profile.sequestration_on(service_date)
    for result in paid:
        penalized = (result.paid * penalty).quantize(CENT)
        if penalized > 0:
            result.adjust("CO", "237", penalized, MIPS_REMARK)
        rewarded = (result.paid * incentive).quantize(CENT)
        if rewarded > 0:
            result.adjust("CO", "144", -rewarded, MIPS_REMARK)
        withheld = (result.paid * sequestration).quantize(CENT)
        if withheld > 0:
            result.adjust("CO", "253", withheld)
