"""What the demo billing company's staff set up in claimstream beside the EHRs' practices: its submitter (claim
submission), and each practice's contract rates with its payers (remittance posting), so that underpaid and
downcoded lines show as variances. The contract rates are the payers' own allowed amounts: a payer that pays a
pre-licensed or master's-level clinician less than the contract shows as underpaying. And what each practice pays
the billing company itself (the billing office's fee agreement)."""

from collections.abc import Sequence
from datetime import date
from typing import Any

import httpx

from clearinghouse_simulator.payers import shipped

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
