"""Each patient's visits with each payer (`uow.visits`), one row per encounter (its latest captured version); the
tenant filter is written once (`mine`)."""

from collections.abc import Iterable
from datetime import date
from uuid import UUID

from claimstream_platform.db import Repository
from claimstream_platform.locks import hold_names
from claimstream_platform.many_rows import insert_many, one_of, rows_in
from sqlalchemy import delete, select, union
from sqlalchemy.dialects.postgresql import Insert

from prior_authorization.tables import visits
from prior_authorization.visit_counts import CountKey, VisitRow

v = visits.c


def count_lock(tenant_id: UUID, practice_id: UUID, patient_ref: str, payer_id: str) -> str:
    """The lock of a patient's charges with a payer (`Visits.hold_counts`)."""
    return f"prior-authorization:visits:{tenant_id}:{practice_id}:{patient_ref[:80]}:{payer_id[:80]}"


class Visits(Repository):
    table = visits

    async def hold_counts(self, keys: Iterable[CountKey]) -> None:
        """Until this transaction ends, it alone takes each patient's charges with the payer (tenant, practice,
        patient, payer: counted, asked ahead for, burned down) and asks for renewals of the patient's authorizations
        with the payer. Two of a patient's charges come on different partitions, so two transactions can count them at
        once: each would miss the other's visit, both take the same place in the year, and both ask ahead (seen: two
        278s for one count). The second waits here for the first to commit; its count then sees the first's visit and
        request."""
        await hold_names(self.uow, [count_lock(*key) for key in keys])

    async def of_run(self, tenant_id: UUID, keys: set[CountKey], since: date, encounters: set[UUID]) -> list[VisitRow]:
        """A run's visits (`visit_counts.RunVisits`): the patients' with their payers since `since`, and the run's
        encounters' own rows, whoever's they are now (a correction may move an encounter to another payer)."""
        columns = (v.encounter_id, v.version, v.tenant_id, v.practice_id, v.patient_ref, v.payer_id, v.service_date)
        theirs = select(*columns).where(
            self.mine(tenant_id), rows_in((v.tenant_id, v.practice_id, v.patient_ref, v.payer_id), keys)
        )
        own = select(*columns).where(self.mine(tenant_id), one_of(v.encounter_id, encounters))
        rows = await self.session.execute(union(theirs.where(v.service_date >= since), own))
        return [
            VisitRow(r.encounter_id, r.version, (r.tenant_id, r.practice_id, r.patient_ref, r.payer_id), r.service_date)
            for r in rows
        ]

    async def record_all(self, rows: list[VisitRow]) -> None:
        """The run's visits in one statement, a newer version kept (as `record`)."""
        given = [
            {"tenant_id": r.key[0], "encounter_id": r.encounter_id, "version": r.version, "practice_id": r.key[1]}
            | {"patient_ref": r.key[2], "payer_id": r.key[3], "service_date": r.service_date}
            for r in rows
        ]
        await insert_many(self.session, visits, given, on_conflict=_newer_kept)

    async def forget(self, tenant_id: UUID, encounter_id: UUID, version: int) -> None:
        """A voided version no longer counts (a corrected one is recorded again when it is captured)."""
        await self.session.execute(
            delete(visits).where(self.mine(tenant_id), v.encounter_id == encounter_id, v.version == version)
        )


def _newer_kept(statement: Insert, columns: tuple[str, ...]) -> Insert:
    """An encounter's row replaced by a version as new or newer, never by an older one."""
    changed = {name: statement.excluded[name] for name in columns if name not in ("tenant_id", "encounter_id")}
    return statement.on_conflict_do_update(
        index_elements=["tenant_id", "encounter_id"], set_=changed, where=v.version <= statement.excluded.version
    )
