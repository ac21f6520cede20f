"""Accounts and their invitations (`uow.accounts`, `uow.invitations`): a tenant's people and integrations read
within that tenant only (`mine`), an account found by email for signing in or by subject for renewing a token."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from claimstream_platform.auth import Kind
from claimstream_platform.db import Repository
from sqlalchemy import insert, select, update
from sqlalchemy.engine import Row

from identity.domain import Account
from identity.tables import accounts, invitations

a = accounts.c


def _account(row: Row[Any]) -> Account:
    return Account(
        id=row.id,
        tenant_id=row.tenant_id,
        kind=Kind(row.kind),
        name=row.name,
        email=row.email,
        roles=frozenset(row.roles),
        practice_ids=frozenset(row.practice_ids) if row.practice_ids is not None else None,
        password_hash=row.password_hash,
        disabled_at=row.disabled_at,
    )


def _values(account: Account) -> dict[str, Any]:
    practices = sorted(account.practice_ids) if account.practice_ids is not None else None
    return {
        "roles": sorted(account.roles),
        "practice_ids": practices,
        "password_hash": account.password_hash,
        "disabled_at": account.disabled_at,
    }


class Accounts(Repository):
    table = accounts

    async def add(self, account: Account) -> None:
        identity = {"id": account.id, "tenant_id": account.tenant_id, "subject": account.subject}
        described = {"kind": str(account.kind), "email": account.email, "name": account.name}
        await self.session.execute(insert(accounts).values(**identity, **described, **_values(account)))

    async def save(self, account: Account) -> None:
        changed = _values(account) | {"updated_at": datetime.now().astimezone()}
        await self.session.execute(update(accounts).where(a.id == account.id).values(**changed))

    async def find(self, tenant_id: UUID, account_id: UUID, kind: Kind | None = None) -> Account | None:
        """One of the tenant's accounts, locked for a change (None: not the tenant's, or not of `kind`)."""
        query = select(accounts).where(self.mine(tenant_id), a.id == account_id).with_for_update()
        if kind is not None:
            query = query.where(a.kind == str(kind))
        row = (await self.session.execute(query)).first()
        return _account(row) if row else None

    async def integration_named(self, tenant_id: UUID, name: str) -> Account | None:
        """The tenant's latest integration of this name, locked for a change."""
        query = select(accounts).where(self.mine(tenant_id), a.kind == str(Kind.INTEGRATION), a.name == name)
        row = (await self.session.execute(query.order_by(a.created_at.desc()).limit(1).with_for_update())).first()
        return _account(row) if row else None

    async def by_email(self, kind: Kind, email: str) -> Account | None:
        query = select(accounts).where(a.kind == str(kind), a.email == email.strip().lower())
        row = (await self.session.execute(query)).first()
        return _account(row) if row else None

    async def by_subject(self, subject: str) -> Account | None:
        row = (await self.session.execute(select(accounts).where(a.subject == subject))).first()
        return _account(row) if row else None

    async def by_id(self, account_id: UUID) -> Account | None:
        row = (await self.session.execute(select(accounts).where(a.id == account_id).with_for_update())).first()
        return _account(row) if row else None

    async def page(self, tenant_id: UUID, *, limit: int, cursor: UUID | None) -> tuple[Sequence[Account], UUID | None]:
        query = select(accounts).where(self.mine(tenant_id)).order_by(a.id).limit(limit + 1)
        if cursor is not None:
            query = query.where(a.id > cursor)
        rows = (await self.session.execute(query)).all()
        page = [_account(row) for row in rows[:limit]]
        return page, (page[-1].id if len(rows) > limit else None)


class Invitations(Repository):
    table = invitations

    async def add(self, code_hash: str, account: Account, expires_at: datetime) -> None:
        values = {"code_hash": code_hash, "account_id": account.id, "tenant_id": account.tenant_id}
        await self.session.execute(insert(invitations).values(**values, expires_at=expires_at))

    async def take(self, code_hash: str, now: datetime) -> UUID | None:
        """The account a valid invitation is for, the invitation used up (None: unknown, used or expired)."""
        i = invitations.c
        taken = (
            update(invitations)
            .where(i.code_hash == code_hash, i.accepted_at.is_(None), i.expires_at > now)
            .values(accepted_at=now)
            .returning(i.account_id)
        )
        found: UUID | None = await self.session.scalar(taken)
        return found
