"""Eligibility's answers as claim submission keeps them: per tenant, practice, patient, payer and date of
service whether the coverage was active, and per plan whether another company administers its mental-health
benefits; the newest answer (by its time) wins."""

from collections.abc import Iterable
from datetime import datetime

from claimstream_platform.db import Repository
from claimstream_platform.many_rows import insert_many, rows_in
from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import Insert, insert

from claim_submission.scrubbing.coverage_rule import Administrator, CoverageKey, PlanKey
from claim_submission.tables import carve_outs, coverage_answers

c = coverage_answers.c
o = carve_outs.c


class CoverageAnswers(Repository):
    """`uow.coverage`: whether a patient's coverage with a payer was active on a date of service."""

    table = coverage_answers

    async def record(self, keys: Iterable[CoverageKey], *, active: bool, at: datetime) -> None:
        """The answers (all saying `active`, given `at`), in one statement; an answer newer than `at` stands."""
        rows = {
            (tenant_id, practice_id, patient_ref[:80], payer_id[:80], served): {
                "tenant_id": tenant_id,
                "practice_id": practice_id,
                "patient_ref": patient_ref[:80],
                "payer_id": payer_id[:80],
                "service_date": served,
                "active": active,
                "answered_at": at,
            }
            for tenant_id, practice_id, patient_ref, payer_id, served in keys
        }
        await insert_many(self.session, coverage_answers, list(rows.values()), on_conflict=_the_newer_answer)

    async def inactive(self, keys: Iterable[CoverageKey]) -> set[CoverageKey]:
        """Of `keys`, those whose newest answer says the coverage was not active."""
        wanted = list(set(keys))
        if not wanted:
            return set()
        query = select(c.tenant_id, c.practice_id, c.patient_ref, c.payer_id, c.service_date).where(
            rows_in((c.tenant_id, c.practice_id, c.patient_ref, c.payer_id, c.service_date), wanted), ~c.active
        )
        return {
            (r.tenant_id, r.practice_id, r.patient_ref, r.payer_id, r.service_date)
            for r in await self.session.execute(query)
        }


class CarveOuts(Repository):
    """`uow.carve_outs`: the plans whose mental-health benefits another company administers."""

    table = carve_outs

    async def forget(self, keys: Iterable[PlanKey], *, at: datetime) -> None:
        """The plans answer for mental health themselves again (unless a carve-out was answered after `at`); one
        statement for any number of them."""
        plans = list({(t, practice, patient[:80], payer[:80]) for t, practice, patient, payer in keys})
        if plans:
            plan = (o.tenant_id, o.practice_id, o.patient_ref, o.payer_id)
            await self.session.execute(delete(carve_outs).where(rows_in(plan, plans), o.answered_at <= at))

    async def record(self, key: PlanKey, administrator: Administrator, *, at: datetime) -> None:
        """Record the plan's administrator."""
        tenant_id, practice_id, patient_ref, payer_id = key
        row = {
            "tenant_id": tenant_id,
            "practice_id": practice_id,
            "patient_ref": patient_ref[:80],
            "payer_id": payer_id[:80],
            "administered_by": administrator[0][:80],
            "administrator_name": administrator[1][:60],
            "answered_at": at,
        }
        statement = insert(carve_outs).values(row)
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=["tenant_id", "practice_id", "patient_ref", "payer_id"],
                set_={
                    "administered_by": statement.excluded.administered_by,
                    "answered_at": at,
                    "administrator_name": statement.excluded.administrator_name,
                },
                where=o.answered_at <= statement.excluded.answered_at,
            )
        )

    async def administrators(self, keys: Iterable[PlanKey]) -> dict[PlanKey, Administrator]:
        """Of `keys`, the plans another company administers, with that company."""
        wanted = list(set(keys))
        if not wanted:
            return {}
        query = select(carve_outs).where(rows_in((o.tenant_id, o.practice_id, o.patient_ref, o.payer_id), wanted))
        return {
            (r.tenant_id, r.practice_id, r.patient_ref, r.payer_id): (r.administered_by, r.administrator_name)
            for r in await self.session.execute(query)
        }


def _the_newer_answer(statement: Insert, _columns: tuple[str, ...]) -> Insert:
    """A coverage answered already keeps the newer answer."""
    return statement.on_conflict_do_update(
        index_elements=["tenant_id", "practice_id", "patient_ref", "payer_id", "service_date"],
        set_={"active": statement.excluded.active, "answered_at": statement.excluded.answered_at},
        where=c.answered_at <= statement.excluded.answered_at,
    )
