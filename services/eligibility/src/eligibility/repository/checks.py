"""Checks (`uow.checks`): stored with the question, completed with the answer, read back within a tenant and its
practices (the tenant filter written once, `mine`, narrowed to the caller's practices in `mine_in`)."""

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from claimstream_platform.auth import Principal
from claimstream_platform.db import Repository
from claimstream_platform.locks import hold_names
from claimstream_platform.many_rows import arrays, given, insert_many, one_of, update_many
from sqlalchemy import Select, and_, delete, func, select, update

from eligibility.accumulators import Accumulator
from eligibility.benefits import Summary
from eligibility.cost import VisitCost
from eligibility.domain import Check, Patient
from eligibility.tables import checks, interchange_control

Coverage = tuple[UUID, str, str, str]  # practice, patient, payer, member id: whose coverage a check asks about
_COVERAGE = ("practice_id", "patient_ref", "payer_id", "member_id")


@dataclass(frozen=True)
class Standing:
    """A check that may stand for a new one of its coverage: pending, or answered (when)."""

    id: UUID
    pending: bool
    answered_at: datetime | None


class Checks(Repository):
    table = checks

    async def next_controls(self, count: int) -> list[int]:
        """The next `count` interchange control numbers (ISA13), in order, in one statement."""
        if count == 0:
            return []
        numbers = select(func.nextval(interchange_control.name)).select_from(func.generate_series(1, count))
        return [int(number) for number in await self.session.scalars(numbers)]

    async def insert(self, *added: Check) -> None:
        """New checks, in one statement."""
        await insert_many(self.session, checks, [_row(check) for check in added])

    async def asking(self, inquiries: Mapping[UUID, str]) -> None:
        """Each check's 270 as it goes out (now), and goes out again if asked again; one statement."""
        if inquiries:
            rows = [{"id": check, "inquiry": inquiry} for check, inquiry in inquiries.items()]
            await self.session.execute(_ASKING, arrays(rows))

    async def answered(self, *answered: Check) -> None:
        """The answers recorded, in one statement; their 270s are not sent again."""
        now = datetime.now(UTC)
        rows = [
            {
                "id": check.id,
                "status": check.status,
                "summary": json.loads(json.dumps(asdict(check.summary), default=str)) if check.summary else None,
                "answered_at": now,
                "inquiry": None,
                "asked_at": None,
            }
            for check in answered
        ]
        await update_many(self.session, checks, "id", rows)

    async def withdraw(self, check_id: UUID) -> None:
        """A pending check the clearinghouse refused to take: never asked, so forgotten."""
        await self.session.execute(delete(checks).where(checks.c.id == check_id, checks.c.status == "pending"))

    async def question(self, check_id: UUID) -> tuple[Check, str | None] | None:
        """The check and its 270 (None: not written yet, or answered), locked for this transaction."""
        return (await self.questions([check_id])).get(check_id)

    async def questions(self, check_ids: Iterable[UUID]) -> dict[UUID, tuple[Check, str | None]]:
        """The checks and their 270s (None: not written yet, or answered), locked for this transaction in one order
        (two recorders of overlapping checks cannot deadlock); one statement."""
        query = select(checks).where(one_of(checks.c.id, set(check_ids))).order_by(checks.c.id)
        rows = await self.session.execute(query.with_for_update())
        return {row.id: (_check(row), row.inquiry) for row in rows}

    async def hold_coverages(self, wanted: Iterable[Check]) -> None:
        """Until this transaction ends, it alone stores checks of these coverages (patient, payer, member id and
        practice, as `standing` finds them): a second asker waits for the first to commit, then sees its check."""
        await hold_names(self.uow, map(coverage_lock, wanted))

    async def standing(self, wanted: Sequence[Check], *, days: int) -> dict[Coverage, list[Standing]]:
        """The pending checks, and those answered no more than `days` ago, of the coverages `wanted` asks about
        (patient, payer, member id and practice), the newest first, by coverage; one statement for any count."""
        c, asked = checks.c, given(checks, _COVERAGE)
        query = (
            select(c.id, *(c[name] for name in _COVERAGE), c.status, c.answered_at)
            .join(asked, and_(*(c[name] == asked.c[name] for name in _COVERAGE)))
            .where(
                self.mine(wanted[0].tenant_id),
                (c.status == "pending") | (c.answered_at >= datetime.now(UTC) - timedelta(days=days)),
            )
            .order_by(c.created_at.desc())
        )
        rows = await self.session.execute(
            query, arrays([dict(zip(_COVERAGE, each, strict=True)) for each in dict.fromkeys(map(coverage_of, wanted))])
        )
        found: dict[Coverage, list[Standing]] = {}
        for row in rows:
            standing = Standing(row.id, row.status == "pending", row.answered_at)
            found.setdefault((row.practice_id, row.patient_ref, row.payer_id, row.member_id), []).append(standing)
        return found

    async def latest_answer(
        self, principal: Principal, practice_id: UUID, patient_ref: str, payer_id: str | None
    ) -> Check | None:
        """The newest answered check of a patient (with one payer, or any)."""
        query = self._readable(principal).where(
            checks.c.practice_id == practice_id, checks.c.patient_ref == patient_ref, checks.c.status != "pending"
        )
        if payer_id is not None:
            query = query.where(checks.c.payer_id == payer_id)
        row = (await self.session.execute(query.order_by(checks.c.answered_at.desc()).limit(1))).first()
        return None if row is None else _check(row)

    async def pending(self, lease: timedelta, limit: int) -> list[tuple[Check, str | None]]:
        """The oldest pending checks not sent in the last `lease` (another process may be asking them), up to
        `limit`, each with its 270 if one was written; locked for this transaction (another worker takes the next)."""
        c = checks.c
        query = (
            select(checks)
            .where(c.status == "pending", c.asked_at.is_(None) | (c.asked_at < func.now() - lease))
            .order_by(c.created_at)
            .limit(limit)
        )
        rows = await self.session.execute(query.with_for_update(skip_locked=True))
        return [(_check(row), row.inquiry) for row in rows]

    async def find(self, principal: Principal, check_id: UUID) -> Check | None:
        row = (await self.session.execute(self._readable(principal).where(checks.c.id == check_id))).first()
        return None if row is None else _check(row)

    def _readable(self, principal: Principal) -> Select[Any]:
        """The checks the caller may read: its tenant's, of the practices its token allows."""
        return select(checks).where(*self.mine_in(principal.tenant_id, principal.practice_ids))


def coverage_lock(check: Check) -> str:
    """The lock of a coverage's checks (`Checks.hold_coverages`): the service's name first, as every lock is named."""
    _, *named = coverage_of(check)
    return ":".join(("eligibility:coverage", str(check.tenant_id), str(check.practice_id), *(v[:80] for v in named)))


def coverage_of(check: Check) -> Coverage:
    return check.practice_id, check.patient.external_id, check.payer_id, check.member_id


def _row(check: Check) -> dict[str, Any]:
    p = check.patient
    return {
        "id": check.id,
        "tenant_id": check.tenant_id,
        "practice_id": check.practice_id,
        "patient_ref": p.external_id,
        "first_name": p.first_name,
        "last_name": p.last_name,
        "birth_date": p.birth_date,
        "payer_id": check.payer_id,
        "member_id": check.member_id,
        "service_date": check.service_date,
        "service_types": list(check.service_types),
        "provider_npi": check.provider_npi,
        "provider_name": check.provider_name,
        "status": check.status,
    }


def _check(row: Any) -> Check:
    patient = Patient(row.patient_ref, row.first_name, row.last_name, row.birth_date)
    check = Check(
        row.tenant_id,
        row.practice_id,
        patient,
        row.payer_id,
        row.member_id,
        row.service_date,
        tuple(row.service_types),
        row.provider_npi,
        row.provider_name,
        id=row.id,
        status=row.status,
    )
    if row.summary:
        check.summary = _summary(row.summary)
    return check


_MONEY = ("copay", "coinsurance", "deductible_remaining", "out_of_pocket_remaining", "next_visit_cost")
_ACCUMULATORS = ("deductible_individual", "deductible_family", "out_of_pocket_individual", "out_of_pocket_family")


def _summary(stored: dict[str, Any]) -> Summary:
    """A summary as stored (JSON, money as decimal strings); answers stored before a field existed lack it."""
    values: dict[str, Any] = {k: (_money(v) if k in _MONEY else v) for k, v in stored.items()}
    for key in _ACCUMULATORS:
        values[key] = _accumulator(values.get(key))
    values["cost"] = _cost(values.get("cost"))
    return Summary(**values)


def _money(value: Any) -> Decimal | None:
    return None if value is None else Decimal(value)


def _accumulator(stored: dict[str, Any] | None) -> Accumulator | None:
    if stored is None:
        return None
    money = {k: _money(v) for k, v in stored.items() if k != "period"}
    return Accumulator(period=stored.get("period", ""), **money)


def _cost(stored: dict[str, Any] | None) -> VisitCost | None:
    if stored is None:
        return None
    patient_pays = Decimal(stored["patient_pays"])
    return VisitCost(patient_pays, stored["basis"], _money(stored["amount"]), tuple(stored["steps"]))


_GIVEN = given(checks, ("id", "inquiry"))
_ASKING = update(checks).where(checks.c.id == _GIVEN.c.id).values(inquiry=_GIVEN.c.inquiry, asked_at=func.now())
