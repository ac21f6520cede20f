"""The billing office's word on whether a practice may bill a payer yet, as claim submission keeps it
(`uow.readiness`): per practice and payer its checks, its claims (837) enrollments and its clinicians' spans,
each record replaced by its newest announcement. Read for a run of claims, and locked per practice and payer so
that a claim created while an announcement is applied is seen by it, or sees it: an announcement holds the lock
alone (`hold`), the runs of claims created share it (`share`)."""

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from claimstream_platform.db import Repository
from claimstream_platform.locks import LockName, Shared, hold_names
from claimstream_platform.many_rows import rows_in
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from claim_submission.scrubbing.readiness_rule import Readiness, Span
from claim_submission.tables import claims_enrollments, credential_spans, payer_checks

PayerKey = tuple[UUID, UUID, str]  # tenant, practice, payer
k, e, s = payer_checks.c, claims_enrollments.c, credential_spans.c


def readiness_lock_names(keys: Iterable[PayerKey], *, shared: bool = False) -> set[LockName]:
    """The lock of each practice's word on a payer: exclusive to change it (`PayerReadiness.hold`), shared to read
    it for the claims created (`PayerReadiness.share`), which then do not wait for one another."""
    names = (f"claim-submission:readiness:{t}:{p}:{payer[:80]}" for t, p, payer in keys)
    return {Shared(name) if shared else name for name in names}


class PayerReadiness(Repository):
    table = payer_checks

    async def hold(self, keys: Iterable[PayerKey]) -> None:
        await hold_names(self.uow, readiness_lock_names(keys))

    async def share(self, keys: Iterable[PayerKey]) -> None:
        await hold_names(self.uow, readiness_lock_names(keys, shared=True))

    async def set_checks(self, key: PayerKey, enrollment: bool, credentialing: bool) -> None:
        row = dict(zip(("tenant_id", "practice_id", "payer_id"), key, strict=True))
        made = insert(payer_checks).values(row | {"enrollment": enrollment, "credentialing": credentialing})
        changed = {"enrollment": enrollment, "credentialing": credentialing}
        await self.session.execute(made.on_conflict_do_update(index_elements=list(row), set_=changed))

    async def put_enrollment(self, row: dict[str, Any]) -> None:
        """A claims enrollment as announced now (its id the billing office's)."""
        await self._put(claims_enrollments, row)

    async def put_span(self, row: dict[str, Any]) -> None:
        await self._put(credential_spans, row)

    async def _put(self, table: Any, row: dict[str, Any]) -> None:
        made = insert(table).values(row)
        changed = {name: made.excluded[name] for name in row if name != "id"}
        await self.session.execute(made.on_conflict_do_update(index_elements=["id"], set_=changed))

    async def of(self, keys: Iterable[PayerKey]) -> dict[PayerKey, Readiness]:
        wanted = list(set(keys))
        if not wanted:
            return {}
        checks = await self._rows(payer_checks, wanted)
        enrolled = await self._rows(claims_enrollments, wanted)
        spans = await self._rows(credential_spans, wanted)
        return {key: _readiness(key, checks, enrolled, spans) for key in wanted}

    async def _rows(self, table: Any, wanted: list[PayerKey]) -> list[Any]:
        c = table.c
        query = select(table).where(rows_in((c.tenant_id, c.practice_id, c.payer_id), wanted))
        return list((await self.session.execute(query)).all())


def _readiness(key: PayerKey, checks: list[Any], enrolled: list[Any], spans: list[Any]) -> Readiness:
    def mine(row: Any) -> bool:
        return (row.tenant_id, row.practice_id, row.payer_id) == key

    check = next((row for row in checks if mine(row)), None)
    return Readiness(
        enrollment_check=bool(check and check.enrollment),
        credentialing_check=bool(check and check.credentialing),
        enrollments=tuple((row.npi, row.tax_id, row.status, row.effective_from) for row in enrolled if mine(row)),
        spans=tuple(
            Span(row.npi, row.state, row.status, row.effective_from, row.effective_to) for row in spans if mine(row)
        ),
    )
