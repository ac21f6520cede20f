"""The approved authorizations a billing service keeps: once per authorization, per patient and payer, and the one
that covers a claim's codes on its date. On real PostgreSQL."""

from datetime import date
from functools import cached_property
from uuid import uuid4

from claimstream_platform.approvals import Approvals, create_table
from claimstream_platform.contracts.prior_authorization import AuthorizationApproved
from claimstream_platform.db import UnitOfWork
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker


class Work(UnitOfWork):
    @cached_property
    def approvals(self) -> Approvals:
        return Approvals(self)


def approved(tenant, practice, number: str, codes: list[str], end: date) -> AuthorizationApproved:  # type: ignore[no-untyped-def]
    return AuthorizationApproved(
        tenant_id=tenant,
        practice_id=practice,
        authorization_id=uuid4(),
        patient_ref="p-1",
        payer_id="SIMMCD",
        authorization_number=number,
        provider_npi="1245319599",
        codes=codes,
        approved=10,
        unit="visits",
        start=date(2026, 1, 1),
        end=end,
        partial=False,
        source="manual",
    )


async def test_each_approval_is_kept_once_and_the_soonest_ending_cover_is_named(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    async with engine.begin() as connection:
        await connection.run_sync(create_table)
    tenant, practice = uuid4(), uuid4()
    later = approved(tenant, practice, "AUTH-LATE", ["90837", "90834"], date(2026, 12, 31))
    sooner = approved(tenant, practice, "AUTH-SOON", ["90837"], date(2026, 6, 30))
    testing = approved(tenant, practice, "AUTH-TEST", ["96130"], date(2026, 3, 31))
    async with Work(sessionmaker) as uow:
        for event in (later, sooner, sooner, testing):  # a redelivered approval changes nothing
            await uow.approvals.record(event)
        await uow.approvals.record(approved(tenant, None, "NOBODYS", ["90837"], date(2026, 12, 31)))
        await uow.commit()
    key = (tenant, practice, "p-1", "SIMMCD")
    async with Work(sessionmaker) as uow:
        found = await uow.approvals.of_patients([key])
        assert [a.number for a in found[key]] == ["AUTH-TEST", "AUTH-SOON", "AUTH-LATE"]
        assert await uow.approvals.covering(key, ["90837"], date(2026, 5, 1)) == "AUTH-SOON"
        assert await uow.approvals.covering(key, ["90834"], date(2026, 5, 1)) == "AUTH-LATE"
        assert await uow.approvals.covering(key, ["90837"], date(2026, 7, 1)) == "AUTH-LATE"
        assert await uow.approvals.covering(key, ["96130"], date(2026, 5, 1)) is None  # ended
        other_tenant = (uuid4(), practice, "p-1", "SIMMCD")
        assert await uow.approvals.covering(other_tenant, ["90837"], date(2026, 5, 1)) is None
