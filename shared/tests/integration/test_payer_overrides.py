"""A practice's overrides of our payer facts, as a service keeps them: the latest per practice, payer and start,
withdrawn by an empty one, and read back as layers over ours. On real PostgreSQL."""

from datetime import date
from functools import cached_property
from uuid import UUID, uuid4

from claimstream_platform.contracts.charge_capture import PayerFactsOverridden
from claimstream_platform.db import UnitOfWork
from claimstream_platform.payer_overrides import PayerOverrides, create_table
from claimstream_platform.payers import Window, payer_facts
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

MARCH, JULY = date(2026, 3, 1), date(2026, 7, 1)


class Work(UnitOfWork):
    @cached_property
    def overrides(self) -> PayerOverrides:
        return PayerOverrides(self)


def overridden(tenant: UUID, practice: UUID, start: date, facts: dict[str, str]) -> PayerFactsOverridden:
    return PayerFactsOverridden(
        tenant_id=tenant, practice_id=practice, payer_id="SIMBCX", effective_from=start, facts=facts
    )


async def test_the_latest_override_holds_and_an_empty_one_withdraws_it(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    async with engine.begin() as connection:
        await connection.run_sync(create_table)
    tenant, practice, other_practice = uuid4(), uuid4(), uuid4()
    async with Work(sessionmaker) as uow:
        await uow.overrides.record(overridden(tenant, practice, MARCH, {"timely_filing": "150 days"}))
        await uow.overrides.record(overridden(tenant, practice, MARCH, {"timely_filing": "180 days"}))  # replaces
        await uow.overrides.record(overridden(tenant, practice, JULY, {"telehealth_modifier": "GT"}))
        await uow.overrides.record(overridden(tenant, other_practice, MARCH, {"timely_filing": "365 days"}))
        await uow.commit()
    key = (tenant, practice, "SIMBCX")
    async with Work(sessionmaker) as uow:
        layers = (await uow.overrides.of([key]))[key]
    assert [layer.start for layer in layers] == [MARCH, JULY]
    assert payer_facts("SIMBCX", on=date(2026, 8, 1), overrides=layers).timely_filing == Window(days=180)
    assert payer_facts("SIMBCX", on=date(2026, 8, 1), overrides=layers).telehealth_modifier == "GT"
    async with Work(sessionmaker) as uow:
        await uow.overrides.record(overridden(tenant, practice, MARCH, {}))  # withdrawn
        await uow.commit()
        layers = (await uow.overrides.of([key, (uuid4(), practice, "SIMBCX")]))[key]
    assert [layer.start for layer in layers] == [JULY]
    assert payer_facts("SIMBCX", on=date(2026, 8, 1), overrides=layers).timely_filing == Window(days=120)
