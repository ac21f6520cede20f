"""The demo billing company's staff at work while the workload runs, every half minute: the bank's file of the
day imported into the billing office (the same file again adds nothing), so that deposits meet their ERAs; the
Blue plan's enrollment and the pending clinician's credentialing approved, backdated, two minutes in (the claims
they held go); and a status inquiry for each claim the payer has held a while with nothing heard of it."""

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
from claimstream_platform.dates import business_date

from clearinghouse_simulator.billing_office import BLUE, STATE, blue_enrollment

log = logging.getLogger(__name__)
EVERY = 30.0  # seconds between the chores
APPROVED_AFTER = 120.0  # seconds into the run
ASK_AFTER = 120.0  # seconds a claim has been accepted, in the demo's time, before its status is asked
ASKED_PER_PASS = 20


@dataclass
class Desk:
    simulator: httpx.AsyncClient
    office: httpx.AsyncClient | None
    claims: httpx.AsyncClient | None
    plans: Sequence[Any]
    started: float = field(default_factory=time.monotonic)
    approved: bool = False
    accepted_since: dict[str, float] = field(default_factory=dict)
    asked: set[str] = field(default_factory=set)


Where = tuple[str | None, dict[str, str]]  # a service's URL (None: not running) and the staff's token for it


@contextlib.asynccontextmanager
async def at_work(
    simulator: httpx.AsyncClient, office: Where, claims: Where, plans: Sequence[Any], stop: asyncio.Event
) -> AsyncIterator[None]:
    """The chores run beside the workload, and stop with it: in the billing office as its admin, in claim
    submission as a biller."""
    async with contextlib.AsyncExitStack() as clients:

        async def client(where: Where) -> httpx.AsyncClient | None:
            url, headers = where
            made = None if url is None else httpx.AsyncClient(base_url=url, headers=headers, timeout=30)
            return None if made is None else await clients.enter_async_context(made)

        desk = Desk(simulator, await client(office), await client(claims), plans)
        task = asyncio.create_task(_chores(desk, stop))
        try:
            yield
        finally:
            task.cancel()


async def _chores(desk: Desk, stop: asyncio.Event) -> None:
    while not stop.is_set():
        for chore in (_bank_file, _approvals, _status_checks):
            try:
                await chore(desk)
            except (httpx.HTTPError, KeyError, ValueError) as error:  # an answer not as expected: next pass
                log.warning(
                    "a chore left for the next pass", extra={"chore": chore.__name__, "error": type(error).__name__}
                )
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=EVERY)


async def _bank_file(desk: Desk) -> None:
    if desk.office is None:
        return
    file = await desk.simulator.get("/v1/bank/bai2", params={"day": str(business_date())})
    if file.is_success:
        imported = await desk.office.post("/v1/deposits", content=file.content, headers={"Content-Type": "text/plain"})
        imported.raise_for_status()


async def _approvals(desk: Desk) -> None:
    """The Blue plan approves the first practice's enrollment and credentialing, effective from the year's start."""
    if desk.office is None or desk.approved or not desk.plans or time.monotonic() - desk.started < APPROVED_AFTER:
        return
    plan, since = desk.plans[0], f"{business_date().year}-01-01"
    enrolled = blue_enrollment(plan) | {"status": "active", "effective_from": since}
    (await desk.office.put(f"/v1/practices/{plan.id}/enrollments", json=enrolled)).raise_for_status()
    first = {
        "npi": plan.providers[0]["npi"],
        "payer_id": BLUE,
        "state": STATE,
        "status": "active",
        "effective_from": since,
    }
    (await desk.office.put(f"/v1/practices/{plan.id}/credentials", json=first)).raise_for_status()
    desk.approved = True


async def _status_checks(desk: Desk) -> None:
    """Accepted claims with nothing heard of them a while later: their status asked (a few each pass)."""
    if desk.claims is None:
        return
    listed = await desk.claims.get("/v1/claims", params={"status": "accepted", "limit": 100})
    accepted = listed.raise_for_status().json()["items"]
    now = time.monotonic()
    for claim in accepted:
        desk.accepted_since.setdefault(claim["id"], now)
    due = [c for c, since in desk.accepted_since.items() if now - since >= ASK_AFTER and c not in desk.asked]
    for claim_id in due[:ASKED_PER_PASS]:
        (await desk.claims.post(f"/v1/claims/{claim_id}/status-inquiries")).raise_for_status()
        desk.asked.add(claim_id)
