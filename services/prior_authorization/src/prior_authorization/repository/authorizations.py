"""Authorizations and their lines: stored with the request, completed with the decision, changed by the burn-down,
read back within a tenant and its practices (`uow.authorizations`; the tenant filter written once, `mine`, narrowed to
the caller's practices in `mine_in`). Every read brings the lines with it."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

from claimstream_platform.auth import Principal
from claimstream_platform.db import Repository
from claimstream_platform.many_rows import one_of, rows_in
from claimstream_platform.paging import OrderedPageRequest, ordered_page
from sqlalchemy import Select, delete, func, select, update

from prior_authorization.domain import Authorization
from prior_authorization.lines import Line
from prior_authorization.repository.authorization_rows import authorization_of, line_of, line_row, row_of
from prior_authorization.tables import authorization_lines, authorizations, interchange_control
from prior_authorization.visit_counts import CountKey

a = authorizations.c
line_c = authorization_lines.c
MUTABLE = (
    "status",
    "source",
    "number",
    "approved",
    "used",
    "over_drawn",
    "partial",
    "reason",
    "warned",
    "reviews",
    "start",
    "end",
)


@dataclass(frozen=True)
class AuthorizationFilter:
    practice_id: UUID | None = None
    patient: str | None = None
    status: str | None = None
    expiring_before: date | None = None
    exceeded: bool | None = None


class Authorizations(Repository):
    table = authorizations

    async def next_control(self) -> int:
        return int(await self.session.scalar(select(func.nextval(interchange_control.name))) or 1)

    async def insert(self, authorization: Authorization) -> None:
        await self.session.execute(authorizations.insert().values(row_of(authorization)))
        await self._write_lines(authorization)

    async def save(self, authorization: Authorization) -> None:
        row = row_of(authorization)
        changed = {name: row[name] for name in MUTABLE}
        await self.session.execute(
            update(authorizations).where(a.id == authorization.id).values(**changed, updated_at=func.now())
        )
        await self.session.execute(delete(authorization_lines).where(line_c.authorization_id == authorization.id))
        await self._write_lines(authorization)

    async def asking(self, authorization_id: UUID, inquiry: str) -> None:
        """The request's 278 as it goes out (now), and goes out again if asked again."""
        query = update(authorizations).where(a.id == authorization_id).values(inquiry=inquiry, asked_at=func.now())
        await self.session.execute(query)

    async def answered(self, authorization: Authorization) -> None:
        """Saved with the decision; its 278 is not sent again (a pended request is asked with a new one)."""
        await self.save(authorization)
        query = update(authorizations).where(a.id == authorization.id).values(inquiry=None, asked_at=None)
        await self.session.execute(query)

    async def withdraw(self, authorization_id: UUID) -> None:
        """A request the clearinghouse refused to take: never asked, so forgotten with its lines."""
        requested = select(a.id).where(a.id == authorization_id, a.status == "requested")
        await self.session.execute(delete(authorization_lines).where(line_c.authorization_id.in_(requested)))
        await self.session.execute(delete(authorizations).where(a.id == authorization_id, a.status == "requested"))

    async def question(self, authorization_id: UUID) -> tuple[Authorization, str | None] | None:
        """The authorization and the 278 it is being asked with (None: none now), locked for this transaction."""
        query = select(authorizations).where(a.id == authorization_id).with_for_update()
        row = (await self.session.execute(query)).first()
        return None if row is None else ((await self._with_lines([row]))[0], row.inquiry)

    async def _write_lines(self, authorization: Authorization) -> None:
        rows = [
            {"authorization_id": authorization.id, "line_number": number, **line_row(line)}
            for number, line in enumerate(authorization.lines)
        ]
        await self.session.execute(authorization_lines.insert().values(rows))

    async def next_open(self, *, pended_wait: float, lease: timedelta) -> tuple[Authorization, str | None] | None:
        """The oldest request not yet answered, or pended at least `pended_wait` seconds ago, not sent in the last
        `lease` (another process may be asking it), with the 278 it is being asked with if any; locked for this
        transaction (another worker takes the next)."""
        since = datetime.now(UTC) - timedelta(seconds=pended_wait)
        query = (
            select(authorizations)
            .where(
                (a.status == "requested") | ((a.status == "pended") & (a.updated_at <= since)),
                a.asked_at.is_(None) | (a.asked_at < func.now() - lease),
            )
            .order_by(a.updated_at)
            .limit(1)
        )
        row = (await self.session.execute(query.with_for_update(skip_locked=True))).first()
        return None if row is None else ((await self._with_lines([row]))[0], row.inquiry)

    async def covering(
        self, tenant_id: UUID, practice_id: UUID, patient_ref: str, payer_id: str, day: date
    ) -> list[Authorization]:
        """The patient's approved authorizations with that payer in force on `day`, locked, the soonest ending first."""
        query = (
            select(authorizations)
            .where(
                *self.mine_in(tenant_id, [practice_id]),
                a.patient_ref == patient_ref[:80],
                a.payer_id == payer_id[:80],
                a.status == "approved",
                a.start <= day,
                a.end >= day,
            )
            .order_by(a.end, a.id)
        )
        return await self._with_lines(list(await self.session.execute(query.with_for_update())))

    async def approved_for(self, tenant_id: UUID, keys: set[CountKey]) -> set[CountKey]:
        """Which of the patients (practice, patient, payer) have any approved authorization with the payer: the
        others' charges have none to draw on, whatever their dates."""
        key = (a.tenant_id, a.practice_id, a.patient_ref, a.payer_id)
        query = select(*key).distinct().where(self.mine(tenant_id), rows_in(key, keys), a.status == "approved")
        return {(r.tenant_id, r.practice_id, r.patient_ref, r.payer_id) for r in await self.session.execute(query)}

    async def asked_for(
        self, tenant_id: UUID, practice_id: UUID, patient_ref: str, payer_id: str, codes: list[str], day: date
    ) -> bool:
        """Whether the patient has an authorization with that payer for any of `codes`, not ended by `day`: asked for
        (whatever the answer: a denial is a person's to take up, not a reason to ask again) or entered by hand."""
        query = (
            select(a.id)
            .where(
                *self.mine_in(tenant_id, [practice_id]),
                a.patient_ref == patient_ref[:80],
                a.payer_id == payer_id[:80],
                a.end >= day,
                a.codes.overlap(codes),
            )
            .limit(1)
        )
        return await self.session.scalar(query) is not None

    async def open_renewal(self, authorization: Authorization) -> Authorization | None:
        """The request continuing `authorization` (citing its number) that still waits for the payer, if any."""
        query = select(authorizations).where(
            *self.mine_in(authorization.tenant_id, [authorization.practice_id]),
            a.patient_ref == authorization.patient.external_id[:80],
            a.payer_id == authorization.payer_id[:80],
            a.previous_number == authorization.number,
            a.status.in_(("requested", "pended")),
        )
        found = await self._with_lines(list(await self.session.execute(query.order_by(a.created_at).limit(1))))
        return found[0] if found else None

    async def of_ids(self, ids: list[UUID]) -> list[Authorization]:
        query = select(authorizations).where(one_of(a.id, ids)).order_by(a.id).with_for_update()
        return await self._with_lines(list(await self.session.execute(query)))

    async def ending_by(self, day: date) -> list[Authorization]:
        """Approved authorizations ending by `day` not yet announced as ending, locked (a few per pass)."""
        query = (
            select(authorizations)
            .where(
                a.status == "approved",
                a.end <= day,
                ~a.warned.any("ending"),
                a.approved > a.used,
            )
            .order_by(a.end)
            .limit(50)
        )
        return await self._with_lines(list(await self.session.execute(query.with_for_update(skip_locked=True))))

    async def find(self, principal: Principal, authorization_id: UUID) -> Authorization | None:
        row = (await self.session.execute(self._readable(principal).where(a.id == authorization_id))).first()
        return None if row is None else (await self._with_lines([row]))[0]

    async def listing(
        self, principal: Principal, wanted: AuthorizationFilter, page: OrderedPageRequest
    ) -> tuple[list[Authorization], str | None]:
        """A page of the authorizations the caller may read, the soonest ending first."""
        query = self._readable(principal)
        if wanted.exceeded is not None:
            query = query.where((a.over_drawn > 0) if wanted.exceeded else (a.over_drawn == 0))
        equal = [(a.practice_id, wanted.practice_id), (a.patient_ref, wanted.patient), (a.status, wanted.status)]
        query = query.where(*(column == value for column, value in equal if value is not None))
        if wanted.expiring_before is not None:
            query = query.where(a.end < wanted.expiring_before, a.status == "approved")
        rows, next_cursor = await ordered_page(self.session, query, [a.end, a.id], limit=page.limit, cursor=page.cursor)
        return await self._with_lines(rows), next_cursor

    def _readable(self, principal: Principal) -> Select[Any]:
        """The authorizations the caller may read: its tenant's, of the practices its token allows."""
        return select(authorizations).where(*self.mine_in(principal.tenant_id, principal.practice_ids))

    async def _with_lines(self, rows: list[Any]) -> list[Authorization]:
        """The authorizations of `rows`, each with its lines (one query for all)."""
        if not rows:
            return []
        query = select(authorization_lines).where(one_of(line_c.authorization_id, [row.id for row in rows]))
        lines: dict[UUID, list[Line]] = {row.id: [] for row in rows}
        for line in await self.session.execute(query.order_by(line_c.authorization_id, line_c.line_number)):
            lines[line.authorization_id].append(line_of(line))
        return [authorization_of(row, lines[row.id]) for row in rows]
