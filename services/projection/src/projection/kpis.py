"""KPI arithmetic and bases, pure (docs/projection.md, "KPI bases"). The figures come from SQL (repository/kpis.py);
this module turns them into rates and days, and says what each number counts.

Basis, for every KPI: the claims of the period are those whose date of service falls in [from, to]; an event
counts when its event time is on or before `as_of` (default today), so a past `as_of` gives the answer the model
gave that day. Claim rates count original primary claims (frequency 1): a replacement is the rework, not a claim.
"""

from collections.abc import Mapping
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

BUCKETS = (("d0_30", 0, 30), ("d31_60", 31, 60), ("d61_90", 61, 90), ("d91_120", 91, 120),
           ("over_120", 121, 1_000_000))  # fmt: skip

BASIS = {
    "clean_claim_rate": "original claims submitted with no hold by our edits, no 999/277CA rejection and no "
                        "replacement or void ÷ original claims submitted",
    "first_pass_resolution_rate": "original claims adjudicated whose first adjudication denied nothing, with no "
                                  "rejection, replacement or void ÷ original claims adjudicated",
    "denial_rate": "original claims whose first adjudication denied all or part (patient responsibility alone is "
                   "no denial) ÷ original claims adjudicated",
    "denial_rate_dollars": "dollars denied at first adjudication ÷ charges of the claims adjudicated",
    "days_in_ar": "open debit balances on as_of (insurance and patient; credits excluded) ÷ average daily gross "
                  "charges of the period (charges ÷ days from `from` to `to`, or to as_of when it comes first)",
    "net_collection_rate": "payments (net of reversals and recoupments) ÷ (gross charges − contractual and payment "
                           "adjustments)",
    "gross_collection_rate": "payments (net of reversals and recoupments) ÷ gross charges",
    "patient_collections": "what the patients paid toward their shares of the period's visits: per visit, what was "
                           "applied to it less what left it (refunded or moved on as credit), up to its share less "
                           "what the practice forgave; none under a payer filter",
    "net_collection_rate_all_parties": "(insurance payments + patient collections) ÷ (gross charges − contractual "
                                       "and payment adjustments)",
    "interest_income": "interest the payers added for the period's claims (PLB L6): income, in no payment or "
                       "balance",
    "charge_lag_days": "mean days from date of service to first submission, original claims submitted",
    "submission_to_payment_days": "mean days from first submission to first payment, original claims paid",
}  # fmt: skip

# Which claim set a KPI's numerator and denominator count, for the drill-down (repository/kpis.py SETS).
DRILL = {
    "clean_claim_rate": ("clean", "submitted"),
    "first_pass_resolution_rate": ("resolved_first_pass", "adjudicated"),
    "denial_rate": ("denied_first", "adjudicated"),
    "denial_rate_dollars": ("denied_first", "adjudicated"),
    "days_in_ar": ("open", "billed"),
    "net_collection_rate": ("paid", "billed"),
    "gross_collection_rate": ("paid", "billed"),
    "patient_collections": ("billed", "billed"),
    "net_collection_rate_all_parties": ("billed", "billed"),
    "charge_lag_days": ("submitted", "submitted"),
    "submission_to_payment_days": ("paid", "paid"),
    "interest_income": ("paid", "billed"),
}


def days_counted(service_from: date, service_to: date, as_of: date) -> int:
    """The period's days that charges can have been made in by `as_of`: none after it count."""
    return max((min(service_to, as_of) - service_from).days + 1, 0)


def ratio(numerator: Decimal | int, denominator: Decimal | int) -> Decimal | None:
    """numerator ÷ denominator to four places (a rate), None when there is nothing to divide by."""
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.0001"), ROUND_HALF_UP)


def days(value: Decimal | float | None) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def figures_to_kpis(f: Mapping[str, Decimal | int | None], period_days: int) -> dict[str, tuple[object, ...]]:
    """KPI name -> (value, numerator, denominator), from the raw figures."""
    charges, payments = Decimal(f["charges"] or 0), Decimal(f["payments"] or 0)
    collected = payments + Decimal(f.get("patient_collected") or 0)
    net_base = charges - Decimal(f["contractual"] or 0)
    daily = charges / period_days if period_days else Decimal(0)
    ar = Decimal(f["ar"] or 0)
    return {
        "clean_claim_rate": (ratio(f["clean"] or 0, f["submitted"] or 0), f["clean"], f["submitted"]),
        "first_pass_resolution_rate": (
            ratio(f["resolved_first_pass"] or 0, f["adjudicated"] or 0),
            f["resolved_first_pass"],
            f["adjudicated"],
        ),
        "denial_rate": (ratio(f["denied_first"] or 0, f["adjudicated"] or 0), f["denied_first"], f["adjudicated"]),
        "denial_rate_dollars": (
            ratio(f["denied_dollars"] or 0, f["adjudicated_charges"] or 0),
            f["denied_dollars"],
            f["adjudicated_charges"],
        ),
        "days_in_ar": (days(ar / daily) if daily else None, ar, daily.quantize(Decimal("0.01"))),
        "net_collection_rate": (ratio(payments, net_base), payments, net_base),
        "gross_collection_rate": (ratio(payments, charges), payments, charges),
        "patient_collections": (collected - payments, collected - payments, None),
        "net_collection_rate_all_parties": (ratio(collected, net_base), collected, net_base),
        "charge_lag_days": (days(f["charge_lag"]), None, f["submitted"]),
        "submission_to_payment_days": (days(f["payment_lag"]), None, f["paid"]),
        "interest_income": (Decimal(f.get("interest") or 0), Decimal(f.get("interest") or 0), None),
    }
