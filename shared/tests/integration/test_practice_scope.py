"""A route's check of the practices its body names (`practices.require_practices`): the caller's tenant's own
practices within its token pass; another tenant's practice, a practice no one registered, and one of the tenant's
outside a token limited to practices are each refused with the same 404 naming the field that carries it."""

from uuid import UUID, uuid4

from claimstream_platform import practices
from claimstream_platform.auth import Principal
from claimstream_platform.db import UnitOfWork
from claimstream_platform.errors import NotFound
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker


def principal(tenant: UUID, practice_ids: set[UUID] | None = None) -> Principal:
    limited = None if practice_ids is None else frozenset(practice_ids)
    return Principal(subject="tester", tenant_id=tenant, practice_ids=limited, token_id="t")


async def refusal(sessionmaker: async_sessionmaker[AsyncSession], caller: Principal, named: dict[str, UUID]) -> object:
    """None when the practices pass, else the refusal's (detail, field)."""
    async with UnitOfWork(sessionmaker) as uow:
        try:
            await practices.require_practices(uow, caller, named)
        except NotFound as error:
            return error.detail, error.field
    return None


async def test_only_the_tenants_own_registered_practices_within_the_token_pass(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    tenant, other_tenant = uuid4(), uuid4()
    ours, also_ours, theirs, never = uuid4(), uuid4(), uuid4(), uuid4()
    async with UnitOfWork(sessionmaker) as uow:
        for practice, owner in ((ours, tenant), (also_ours, tenant), (theirs, other_tenant)):
            await practices.register(uow.session, practice, owner)
        await uow.commit()
    whole, limited = principal(tenant), principal(tenant, {ours})
    assert await refusal(sessionmaker, whole, {"practice_id": ours, "second.practice_id": also_ours}) is None
    assert await refusal(sessionmaker, limited, {"practice_id": ours}) is None
    refused = [
        await refusal(sessionmaker, whole, {"practice_id": theirs}),
        await refusal(sessionmaker, whole, {"practice_id": never}),
        await refusal(sessionmaker, limited, {"practice_id": also_ours}),
    ]
    assert refused == [("practice not found", "practice_id")] * 3
    in_a_batch = {"checks.0.practice_id": ours, "checks.1.practice_id": theirs}
    assert await refusal(sessionmaker, whole, in_a_batch) == ("practice not found", "checks.1.practice_id")
