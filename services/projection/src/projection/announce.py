"""`python -m projection announce-shares`: every stored visit's patient share announced once more, as of its
current fold. For an installation that adds patient billing (folds made before `PatientShareChanged` existed were
never announced: the accounts would miss every visit billed before) or restores it from an older backup. Patient
billing keeps the highest version it has seen, so announcing what it has already changes nothing. Runs across
tenants (ACROSS_TENANTS_DATABASE_URL); the worker's outbox relay publishes what it stages."""

import asyncio
import sys
from collections.abc import Callable

from claimstream_platform.engines import across_tenants_job

from projection.domain import fold
from projection.handlers import by_encounter
from projection.repository import ProjectionWork
from projection.settings import ProjectionSettings
from projection.shares import share_changed

BATCH = 200  # encounters folded and announced in one transaction


async def announce_all(work: Callable[[], ProjectionWork]) -> int:
    """How many visits were announced."""
    async with work() as uow:
        keys = await uow.folding.encounters_with_claims()
    announced = 0
    for start in range(0, len(keys), BATCH):
        chunk = keys[start : start + BATCH]
        async with work() as uow:
            await uow.folding.lock(set(chunk))
            grouped = by_encounter(await uow.folding.history(set(chunk)))
            for key in chunk:
                changed = share_changed(key, fold(grouped.get(key, [])), grouped.get(key, []), None)
                if changed is not None:
                    uow.publish(changed)
                    announced += 1
            await uow.commit()
    return announced


def main(settings: ProjectionSettings) -> int:
    job = across_tenants_job(settings.across_tenants_url, settings.database_schema, ProjectionWork, announce_all)
    sys.stdout.write(f"announced {asyncio.run(job)} visits' patient shares\n")
    return 0
