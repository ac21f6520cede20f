"""The appeal packet: structured data, and the letter's lines (rendered as a PDF by `claimstream_platform.pdf`). Pure.

The letter names the claim by its patient control number and the payer's claim number: denial management holds
no patient names, member ids or diagnoses, and billing staff print it on the practice's letterhead with them.
"""

from datetime import date
from typing import Any

from claimstream_platform.pdf import wrap


def packet(case: dict[str, Any], claim: dict[str, Any], reason: str, facts: list[str], today: date) -> dict[str, Any]:
    return {"date": today.isoformat(), "case": case, "claim": claim, "reason": reason, "facts": facts}


def letter_lines(appeal: dict[str, Any]) -> list[str]:
    case, claim = appeal["case"], appeal["claim"]
    lines = [
        f"Date: {appeal['date']}",
        f"To: {case['payer_id']}, provider appeals",
        f"Re: request for reconsideration of claim {claim['patient_control_number']}"
        + (f" (payer claim number {claim['payer_claim_number']})" if claim.get("payer_claim_number") else ""),
        f"Date of service: {claim['service_date']}",
        f"Denied: {case['denied_on']}, {', '.join(case['codes'])}, amount {case['amount']}",
        "",
        "We ask you to reconsider the denial of this claim.",
        "",
        appeal["reason"],
        "",
        "Supporting facts:",
        *(f"- {fact}" for fact in appeal["facts"]),
        "",
        "Please reprocess the claim and pay it under the terms of our agreement.",
        "",
        "Billing office, on behalf of the rendering provider",
    ]
    return [wrapped for line in lines for wrapped in wrap(line)]
