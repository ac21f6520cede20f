"""`python -m patient_billing announce-standings`: the standing of every account whose money events all predate
standings, announced once (`AccountStandingAnnounced`), so the projection's checksum has every account's open and
credit after an upgrade (docs/patient-billing.md, "Upgrading"). An account with a standing already is left alone:
its last one is whole. Runs across tenants (ACROSS_TENANTS_DATABASE_URL); the worker's outbox relay publishes."""

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
        keys = await uow.accounts.without_standing()
    announced = 0
    for start in range(0, len(keys), BATCH):
        async with work() as uow:
            for tenant_id, account_id in keys[start : start + BATCH]:
                account = await uow.accounts.lock(tenant_id, account_id)
                if account.movements == 0:  # none stamped since the list was read
                    account.announce_standing()
                    await saved(uow, account)
                    announced += 1
            await uow.commit()
    return announced


def main(database_url: str, schema: str) -> int:
    job = across_tenants_job(database_url, schema, PatientBillingWork, announce_all)
    sys.stdout.write(f"announced {asyncio.run(job)} accounts' standings\n")
    return 0
