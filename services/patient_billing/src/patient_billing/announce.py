"""`python -m patient_billing announce-standings`: every account's standing announced with its totals to date
(`AccountStandingAnnounced`, moving no money), an opening the projection's checksum counts later events on top of:
for an installation upgraded from before money events carried standings, whose earlier events the projection never
kept (docs/patient-billing.md, "Upgrading"). Safe to run again: a later opening replaces an earlier one. Runs
across tenants (ACROSS_TENANTS_DATABASE_URL); the worker's outbox relay publishes."""

import asyncio
import sys
from collections.abc import Callable

from claimstream_platform.engines import across_tenants_job

from patient_billing.accounts import saved
from patient_billing.repository import PatientBillingWork

BATCH = 200  # accounts locked and announced in one transaction


async def announce_all(work: Callable[[], PatientBillingWork]) -> int:
    """How many accounts were announced."""
    async with work() as uow:
        keys = await uow.accounts.every_account()
    announced = 0
    for start in range(0, len(keys), BATCH):
        async with work() as uow:
            for tenant_id, account_id in keys[start : start + BATCH]:
                account = await uow.accounts.lock(tenant_id, account_id)
                account.announce_standing(await uow.accounts.totals(account))
                await saved(uow, account)
                announced += 1
            await uow.commit()
    return announced


def main(database_url: str, schema: str) -> int:
    job = across_tenants_job(database_url, schema, PatientBillingWork, announce_all)
    sys.stdout.write(f"announced {asyncio.run(job)} accounts' standings\n")
    return 0
