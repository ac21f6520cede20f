"""Tokens after they are issued (`uow.integration_tokens`, `uow.revocations`, `uow.failures`): the integration tokens
an administrator issued, the revocation list every service reads, and the sign-in failures that slow guessing."""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from claimstream_platform.db import Repository
from claimstream_platform.locks import hold_names
from sqlalchemy import case, delete, insert, select, update
from sqlalchemy.dialects.postgresql import insert as upsert

from identity.domain import FAILURES_FORGOTTEN
from identity.tables import integration_tokens, revocations, sign_in_failures

LIST_LOCK = "identity.revocations"  # one writer at a time: rows commit in `seq` order, which the readers rely on


@dataclass(frozen=True)
class IssuedToken:
    jti: str
    issued_at: datetime
    expires_at: datetime
    revoked_at: datetime | None


class IntegrationTokens(Repository):
    table = integration_tokens

    async def add(self, tenant_id: UUID, account_id: UUID, token: IssuedToken, issued_by: str) -> None:
        values = {"jti": token.jti, "issued_at": token.issued_at, "expires_at": token.expires_at}
        await self.session.execute(
            insert(integration_tokens).values(tenant_id=tenant_id, account_id=account_id, issued_by=issued_by, **values)
        )

    async def of(self, tenant_id: UUID, account_id: UUID) -> list[IssuedToken]:
        t = integration_tokens.c
        query = select(t.jti, t.issued_at, t.expires_at, t.revoked_at).where(
            self.mine(tenant_id), t.account_id == account_id
        )
        rows = (await self.session.execute(query.order_by(t.issued_at))).all()
        return [IssuedToken(r.jti, r.issued_at, r.expires_at, r.revoked_at) for r in rows]

    async def revoke(self, tenant_id: UUID, account_id: UUID, jti: str, now: datetime) -> IssuedToken | None:
        t = integration_tokens.c
        query = (
            update(integration_tokens)
            .where(self.mine(tenant_id), t.account_id == account_id, t.jti == jti)
            .values(revoked_at=now)
            .returning(t.jti, t.issued_at, t.expires_at, t.revoked_at)
        )
        row = (await self.session.execute(query)).first()
        return IssuedToken(row.jti, row.issued_at, row.expires_at, row.revoked_at) if row else None


class Revocations(Repository):
    table = revocations

    async def token(self, jti: str, tenant_id: UUID | None, expires_at: datetime, reason: str) -> None:
        await hold_names(self.uow, [LIST_LOCK])
        values = {"jti": jti, "tenant_id": tenant_id, "expires_at": expires_at, "reason": reason}
        await self.session.execute(insert(revocations).values(**values))

    async def subject(
        self, subject: str, tenant_id: UUID | None, before: datetime, expires_at: datetime, reason: str
    ) -> None:
        """Every token of `subject` issued at or before `before`; `expires_at`: when the longest of them would end."""
        await hold_names(self.uow, [LIST_LOCK])
        values = {"subject": subject, "issued_before": before, "tenant_id": tenant_id, "expires_at": expires_at}
        await self.session.execute(insert(revocations).values(**values, reason=reason))

    async def names(self, jti: str, tenant_id: UUID | None, subject: str, issued_at: datetime | None) -> bool:
        """Whether the list names this token now (identity reads it from the table, never from a cache)."""
        r = revocations.c
        named = r.jti == jti
        if issued_at is not None:
            of_subject = (r.subject == subject) & r.tenant_id.is_not_distinct_from(tenant_id)
            named = named | (of_subject & (r.issued_before >= issued_at))
        found = await self.session.scalar(select(r.seq).where(named).limit(1))
        return found is not None

    async def prune(self, before: datetime) -> None:
        """Rows whose tokens have all expired: no process needs them (they already dropped them from memory)."""
        await hold_names(self.uow, [LIST_LOCK])
        await self.session.execute(delete(revocations).where(revocations.c.expires_at < before))


class Failures(Repository):
    table = sign_in_failures

    async def of(self, key: str) -> tuple[int, datetime] | None:
        f = sign_in_failures.c
        row = (await self.session.execute(select(f.failures, f.last_failure_at).where(f.key == key))).first()
        return (row.failures, row.last_failure_at) if row else None

    async def failed(self, key: str, now: datetime) -> None:
        """One more failure, or the first again after a quiet hour."""
        f = sign_in_failures.c
        statement = upsert(sign_in_failures).values(key=key, failures=1, last_failure_at=now)
        counted = case((f.last_failure_at < now - FAILURES_FORGOTTEN, 1), else_=f.failures + 1)
        await self.session.execute(
            statement.on_conflict_do_update(index_elements=[f.key], set_={"failures": counted, "last_failure_at": now})
        )

    async def forget(self, key: str) -> None:
        await self.session.execute(delete(sign_in_failures).where(sign_in_failures.c.key == key))
