"""A practice set up is registered in the platform's registry as its tenant's, in the same transaction (issue 26:
consumers dead-letter an event whose practice is unknown or another tenant's)."""

from uuid import UUID

from charge_capture_testkit import Practice
from claimstream_platform import practices
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine


async def test_a_practice_set_up_is_registered_as_its_tenants(
    practice: Practice, tenant: UUID, engine: AsyncEngine
) -> None:
    async with engine.connect() as connection:
        owner = await connection.scalar(
            select(practices.practices.c.tenant_id).where(practices.practices.c.id == practice.id)
        )
    assert owner == tenant
