"""What the demo billing company's staff set up in claimstream beside the EHRs' practices: its submitter (claim
submission), and each practice's contract rates with its payers (remittance posting), so that underpaid and
downcoded lines show as variances. The contract rates are the payers' own allowed amounts: a payer that pays a
pre-licensed or master's-level clinician less than the contract shows as underpaying. And what each practice pays
the billing company itself (the billing office's fee agreement)."""

from collections.abc import Sequence
from datetime import date
from typing import Any

import httpx
from claimstream_platform.dates import add_months

from clearinghouse_simulator.payers import shipped

BLUE, STATE = "SIMBCX", "OR"  # the payer the first demo practice is new with, and where its clinicians practise

# The demo billing company, as its clearinghouse knows it (837P 1000A and ISA06 of its interchanges).
DEMO_SUBMITTER = {
    "submitter_id": "DEMOBILLING",
    "name": "Demo Behavioral Billing",
    "contact_name": "EDI Desk",
    "phone": "5035550100",
    "email": "edi@demo-billing.example",
}


async def set_up(
    headers: dict[str, str],
    plans: Sequence[Any],
    today: date,
    claim_submission_url: str | None,
    remittance_posting_url: str | None,
    billing_office_url: str | None = None,
) -> None:
    if claim_submission_url:
        async with httpx.AsyncClient(base_url=claim_submission_url, headers=headers, timeout=30) as claims:
            (await claims.put("/v1/submitter", json=DEMO_SUBMITTER)).raise_for_status()
    if remittance_posting_url:
        async with httpx.AsyncClient(base_url=remittance_posting_url, headers=headers, timeout=30) as remits:
            for plan in plans:
                for payer in plan.payers:
                    await _contract(remits, plan.id, payer["payer_id"], today)
    if billing_office_url:
        async with httpx.AsyncClient(base_url=billing_office_url, headers=headers, timeout=30) as office:
            for plan in plans:
                made = await office.post(f"/v1/practices/{plan.id}/fee-agreements", json=_agreement(today))
                if made.status_code != 422:  # 422: agreed already
                    made.raise_for_status()
            if plans:
                await waiting_for_the_blue_plan(office, plans[0], today)


def _agreement(today: date) -> dict[str, str]:
    """What each demo practice pays the billing company from this month on: a share of what it collects (the
    usual arrangement), a minimum for a slow month, and the printing of each statement. A second run of the demo
    finds it there already (422) and keeps it."""
    fees = {
        "insurance_percent": "6.00",
        "patient_percent": "4.00",
        "minimum_fee": "250.00",
        "per_statement_fee": "0.75",
    }
    return {"effective_from": str(today.replace(day=1)), **fees}


async def _contract(remits: httpx.AsyncClient, practice_id: str, payer_id: str, today: date) -> None:
    profile = shipped().payers[payer_id]
    rates = [{"code": code, "amount": str(amount)} for code, amount in sorted(profile.allowed.items())]
    body = {"practice_id": practice_id, "effective_from": f"{today.year - 1}-01-01", "rates": rates}
    (await remits.put(f"/v1/contract-rates/{payer_id}", json=body)).raise_for_status()


async def waiting_for_the_blue_plan(office: httpx.AsyncClient, plan: Any, today: date) -> None:
    """The first practice is new with the Blue plan: its claims enrollment is pending and its first clinician's
    credentialing starts next month, and it has turned both checks on, so their claims wait instead of being denied
    (the staff's chores approve both a little later: `staff.py`)."""
    checks = {"enrollment": True, "credentialing": True}
    (await office.put(f"/v1/practices/{plan.id}/payers/{BLUE}/checks", json=checks)).raise_for_status()
    enrollment = blue_enrollment(plan) | {"status": "pending", "requested_effective": str(today)}
    (await office.put(f"/v1/practices/{plan.id}/enrollments", json=enrollment)).raise_for_status()
    later = str(add_months(today.replace(day=1), 1))
    for n, provider in enumerate(plan.providers):
        span = {"npi": provider["npi"], "payer_id": BLUE, "state": STATE}
        span |= (
            {"status": "pending", "effective_from": later}
            if n == 0
            else {"status": "active", "effective_from": f"{today.year}-01-01"}
        )
        (await office.put(f"/v1/practices/{plan.id}/credentials", json=span)).raise_for_status()


def blue_enrollment(plan: Any) -> dict[str, str]:
    tax_id = plan.body["tax_id"].replace("-", "")
    return {"payer_id": BLUE, "npi": plan.body["npi"], "tax_id": tax_id, "transaction": "claims"}
