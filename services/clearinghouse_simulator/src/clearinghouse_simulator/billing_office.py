"""What the demo billing company's staff set up in claimstream beside the EHRs' practices: its submitter (claim
submission), and each practice's contract rates with its payers (remittance posting), so that underpaid and
downcoded lines show as variances. The contract rates are the payers' own allowed amounts: a payer that pays a
pre-licensed or master's-level clinician less than the contract shows as underpaying. And what each practice pays
the billing company itself (the billing office's fee agreement)."""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Sequence
from datetime import date
from typing import Any

import httpx
from claimstream_platform.dates import business_date

from clearinghouse_simulator.payers import shipped

log = logging.getLogger(__name__)
BANK_FILE_EVERY = 30.0  # seconds

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


@contextlib.asynccontextmanager
async def banking(
    simulator: httpx.AsyncClient, office_url: str | None, headers: dict[str, str], stop: asyncio.Event
) -> AsyncIterator[None]:
    """While the workload runs, the billing company's staff import the bank's file of the day's deposits into the
    billing office every half minute (the same file again adds nothing), so that the deposits meet their ERAs."""
    if office_url is None:
        yield
        return
    async with httpx.AsyncClient(base_url=office_url, headers=headers, timeout=30) as office:
        task = asyncio.create_task(_import_daily(simulator, office, stop))
        try:
            yield
        finally:
            task.cancel()


async def _import_daily(simulator: httpx.AsyncClient, office: httpx.AsyncClient, stop: asyncio.Event) -> None:
    while not stop.is_set():
        try:
            file = await simulator.get("/v1/bank/bai2", params={"day": str(business_date())})
            if file.is_success:
                await office.post("/v1/deposits", content=file.content, headers={"Content-Type": "text/plain"})
        except httpx.HTTPError as error:
            log.warning("the bank's file not imported", extra={"error": type(error).__name__})
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=BANK_FILE_EVERY)
