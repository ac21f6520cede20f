"""Interchanges, claims and documents as they arrive, in the caller's transaction (`uow.received`). What it reads
back is the submitter's: the simulator's tenant filter, written once (`SubmitterRepository`: `of` for members,
pended reviews and claims; an interchange is found by its key, which begins with its submitter)."""

from collections.abc import Iterable, Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import insert, select, text, tuple_
from sqlalchemy.dialects.postgresql import insert as pg_insert

from clearinghouse_simulator.repository.submitters import SubmitterRepository
from clearinghouse_simulator.tables import (
    claims,
    control_numbers,
    documents,
    members,
    payer_claim_numbers,
    pended_reviews,
    submissions,
)


class Received(SubmitterRepository):
    table = submissions

    async def record_submission(self, submission_id: UUID, key: dict[str, Any], sha256: str) -> bool:
        """The interchange, once per (submitter, sender, ISA13); False when that key was received before."""
        stored = await self.session.scalar(
            pg_insert(submissions)
            .values(id=submission_id, content_sha256=sha256, **key)
            .on_conflict_do_nothing()
            .returning(submissions.c.id)
        )
        return stored is not None

    async def earlier_hash(self, key: dict[str, Any]) -> str | None:
        """The SHA-256 of what was received under `key`."""
        query = select(submissions.c.content_sha256).where(
            *(submissions.c[name] == value for name, value in key.items())
        )
        found = await self.session.scalar(query)
        return str(found) if found is not None else None

    async def next_control(self) -> str:
        """An interchange control number for a document the simulator writes."""
        return str(await self.session.scalar(select(control_numbers.next_value())))

    async def payer_numbers(self, count: int) -> list[int]:
        """`count` new payer claim (or authorization) numbers, in one statement."""
        if count == 0:
            return []
        query = text(f"SELECT nextval('{payer_claim_numbers.name}') FROM generate_series(1, :n)")
        return [int(n) for n in (await self.session.execute(query, {"n": count})).scalars()]

    async def store_document(self, submitter: UUID, kind: str, content: str) -> None:
        """Into the submitter's inbox."""
        await self.session.execute(insert(documents).values(submitter=submitter, kind=kind, content=content))

    async def roster(self, submitter: UUID, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Any]:
        """The submitter's enrolled members among (payer, member id) keys."""
        rows = await self.session.execute(
            select(members).where(
                self.of(members, submitter), tuple_(members.c.payer_id, members.c.member_id).in_(list(set(keys)))
            )
        )
        return {(row.payer_id, row.member_id): row for row in rows}

    async def store_claims(self, rows: Sequence[dict[str, Any]]) -> None:
        await self.session.execute(insert(claims), list(rows))

    async def pended_before(self, submitter: UUID, traces: Iterable[str]) -> set[str]:
        """Of the traces, those a payer pended earlier."""
        rows = await self.session.scalars(
            select(pended_reviews.c.trace).where(
                self.of(pended_reviews, submitter), pended_reviews.c.trace.in_(list(set(traces)))
            )
        )
        return set(rows)

    async def pended(self, submitter: UUID, traces: Iterable[str]) -> None:
        rows = [{"submitter": submitter, "trace": trace[:50]} for trace in set(traces)]
        if rows:
            await self.session.execute(pg_insert(pended_reviews).values(rows).on_conflict_do_nothing())

    async def adjudications(self, submitter: UUID, numbers: Iterable[str]) -> dict[str, Any]:
        """What the payer decided on the submitter's adjudicated claims among these payer claim numbers (as stored)."""
        query = select(claims.c.payer_claim_number, claims.c.adjudication).where(
            self.of(claims, submitter),
            claims.c.payer_claim_number.in_(list(numbers)),
            claims.c.status == "adjudicated",
        )
        return {row.payer_claim_number: row.adjudication for row in await self.session.execute(query)}
