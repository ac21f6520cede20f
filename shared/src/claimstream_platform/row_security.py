"""What each transaction tells PostgreSQL's row-level security: whose rows it works on.

Every session transaction begins with `set_config(..., true)` (`SET LOCAL`: it ends with the transaction, so a pooled
connection carries nothing into the next one) of the unit of work's tenant, or the context's (`context.acting_as`).
The policy it feeds is `claimstream_platform.migrate.TENANT_WALL` (docs/security.md). No setting crosses tenants:
a transaction that works across them (`context.ACROSS_TENANTS`) names no tenant, and sees every tenant's rows only
on a connection of the across-tenants role (`kit.Runtime.across_tenants`, `web.Platform.across_tenants`), which the
`across_tenants` policy admits.

The setting goes with the transaction's BEGIN, in one message (`bundling`).
"""

from uuid import UUID

from sqlalchemy import Connection, text
from sqlalchemy import event as orm_events
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction

from claimstream_platform.bundling import first_with_begin
from claimstream_platform.context import Tenancy, current_tenancy

TENANT_SETTING = "claimstream.tenant_id"
_SET_TENANCY = text(f"SELECT set_config('{TENANT_SETTING}', :tenant, true)")


def _parameters(tenancy: Tenancy) -> dict[str, str]:
    return {"tenant": str(tenancy.tenant_id or "")}


async def tell_tenancy(session: AsyncSession, tenancy: Tenancy) -> None:
    """From here to the end of the session's transaction (or of its savepoint, when that rolls back)."""
    session.info["tenancy"] = tenancy
    await session.execute(_SET_TENANCY, _parameters(tenancy))


@orm_events.listens_for(Session, "after_begin")
def _at_begin(session: Session, _transaction: SessionTransaction, connection: Connection) -> None:
    """At the start of every session transaction: the session's own tenancy (a unit of work's) or the context's.
    Nothing set is the same as no tenant: every tenant table looks empty."""
    tenancy: Tenancy = session.info.get("tenancy") or current_tenancy()
    if first_with_begin(connection, _setting(tenancy.tenant_id), afresh=True):  # nothing stale said before it
        return
    if tenancy.tenant_id is not None:  # a savepoint, or a connection of another kind: a statement of its own
        connection.execute(_SET_TENANCY, _parameters(tenancy))


def _setting(tenant_id: UUID | None) -> str:
    if tenant_id is None:
        return ""
    # A UUID's text is hex digits and dashes: nothing in it can end the literal.
    return f"SELECT set_config('{TENANT_SETTING}', '{UUID(str(tenant_id))}', true);"
