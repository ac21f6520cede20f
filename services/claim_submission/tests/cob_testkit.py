"""Coordination-of-benefits fixtures: a patient's secondary and tertiary coverages and the primary's posting."""

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import uuid4

from claims_testkit import ADDRESS, TENANT
from claimstream_platform.contracts.remittance_posting import PaymentPosted

SPOUSE = {"first_name": "Sam", "last_name": "Doe", "birth_date": "1968-05-05", "sex": "M", "address": ADDRESS}
SECONDARY = {
    "payer_id": "SIMBCX",
    "member_id": "XYZ123456",
    "group_number": "G-77",
    "relationship": "spouse",
    "subscriber": SPOUSE,
    "responsibility": "secondary",
    "payer": {"payer_id": "SIMBCX", "name": "Simulated Blue", "kind": "commercial", "claim_filing_indicator": "BL"},
}
TERTIARY = {
    "payer_id": "SIMMCD",
    "member_id": "MCD0001",
    "relationship": "self",
    "responsibility": "tertiary",
    "payer": {"payer_id": "SIMMCD", "name": "Simulated Medicaid", "kind": "medicaid", "claim_filing_indicator": "MC"},
}
TWO_LINES = [
    {
        "line_number": 1,
        "code": "90837",
        "modifiers": ["95"],
        "units": 1,
        "amount": Decimal("185.00"),
        "diagnosis_pointers": [1],
    },
    {
        "line_number": 2,
        "code": "90785",
        "modifiers": ["95"],
        "units": 1,
        "amount": Decimal("40.00"),
        "diagnosis_pointers": [1],
    },
]


def adjustment(group: str, reason: str, value: str) -> dict[str, Any]:
    return {"group": group, "reason": reason, "amount": Decimal(value)}


# The primary's answer per line: line 1 paid with CO-45 and PR-2, line 2 denied to the patient (PR-96).
PAID_LINE = {
    "line_number": 1,
    "code": "90837",
    "modifiers": ["95"],
    "charge": "185",
    "paid": "100",
    "adjustments": [adjustment("CO", "45", "60"), adjustment("PR", "2", "25")],
    "remarks": [],
}
DENIED_LINE = {
    "line_number": 2,
    "code": "90785",
    "modifiers": ["95"],
    "charge": "40",
    "paid": "0",
    "adjustments": [adjustment("PR", "96", "40")],
    "remarks": ["N130"],
}


def posting(**changes: Any) -> PaymentPosted:
    """The primary's 835 as remittance posting publishes it, for the two lines above (no claim-level
    adjustment: a test that wants one, say a PR-1 deductible, adds it)."""
    lines = [PAID_LINE, DENIED_LINE]
    data: dict[str, Any] = {
        "tenant_id": TENANT,
        "remittance_id": uuid4(),
        "claim_id": uuid4(),
        "patient_control_number": "CS1-1",
        "payer_id": "SIMMCR",
        "payer_claim_number": "MCR-555",
        "claim_status": "1",
        "outcome": "partially_paid",
        "charge": "225",
        "paid": "100",
        "allowed": None,
        "patient_responsibility": "65",
        "adjustments": [a for line in lines for a in line["adjustments"]],
        "remarks": [],
        "lines": lines,
        "paid_on": date(2026, 11, 20),
    }
    return PaymentPosted.model_validate(data | changes)
