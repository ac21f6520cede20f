"""Interchanges, claims and documents as they arrive, in the caller's transaction."""

from collections.abc import Iterable, Sequence
from typing import Any
from uuid import UUID

from claimstream_platform.db import UnitOfWork
from sqlalchemy import insert, select, text, tuple_
from sqlalchemy.dialects.postgresql import insert as pg_insert

from clearinghouse_simulator.tables import (
    claims,
    control_numbers,
    documents,
    members,
    payer_claim_numbers,
    pended_reviews,
    submissions,
)


async def record_submission(uow: UnitOfWork, submission_id: UUID, key: dict[str, Any], sha256: str) -> bool:
    """The interchange, once per (submitter, sender, ISA13); False when that key was received before."""
    stored = await uow.session.scalar(
        pg_insert(submissions)
        .values(id=submission_id, content_sha256=sha256, **key)
        .on_conflict_do_nothing()
        .returning(submissions.c.id)
    )
    return stored is not None


async def earlier_hash(uow: UnitOfWork, key: dict[str, Any]) -> str | None:
    """The SHA-256 of what was received under `key`."""
    query = select(submissions.c.content_sha256).where(*(submissions.c[name] == value for name, value in key.items()))
    found = await uow.session.scalar(query)
    return str(found) if found is not None else None


async def next_control(uow: UnitOfWork) -> str:
    """An interchange control number for a document the simulator writes."""
    return str(await uow.session.scalar(select(control_numbers.next_value())))


async def payer_numbers(uow: UnitOfWork, count: int) -> list[int]:
    """`count` new payer claim (or authorization) numbers, in one statement."""
    if count == 0:
        return []
    query = text(f"SELECT nextval('{payer_claim_numbers.name}') FROM generate_series(1, :n)")
    return [int(n) for n in (await uow.session.execute(query, {"n": count})).scalars()]


async def store_document(uow: UnitOfWork, submitter: UUID, kind: str, content: str) -> None:
    """Into the submitter's inbox."""
    await uow.session.execute(insert(documents).values(submitter=submitter, kind=kind, content=content))


async def roster(uow: UnitOfWork, submitter: UUID, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Any]:
    """The submitter's enrolled members among (payer, member id) keys."""
    rows = await uow.session.execute(
        select(members).where(
            members.c.submitter == submitter, tuple_(members.c.payer_id, members.c.member_id).in_(list(set(keys)))
        )
    )
    return {(row.payer_id, row.member_id): row for row in rows}


async def store_claims(uow: UnitOfWork, rows: Sequence[dict[str, Any]]) -> None:
    await uow.session.execute(insert(claims), list(rows))


async def pended_before(uow: UnitOfWork, submitter: UUID, traces: Iterable[str]) -> set[str]:
    """Of the traces, those a payer pended earlier."""
    rows = await uow.session.scalars(
        select(pended_reviews.c.trace).where(
            pended_reviews.c.submitter == submitter, pended_reviews.c.trace.in_(list(set(traces)))
        )
    )
    return set(rows)


async def pended(uow: UnitOfWork, submitter: UUID, traces: Iterable[str]) -> None:
    rows = [{"submitter": submitter, "trace": trace[:50]} for trace in set(traces)]
    if rows:
        await uow.session.execute(pg_insert(pended_reviews).values(rows).on_conflict_do_nothing())


async def adjudications(uow: UnitOfWork, submitter: UUID, numbers: Iterable[str]) -> dict[str, Any]:
    """What the payer decided on the submitter's adjudicated claims among these payer claim numbers (as stored)."""
    query = select(claims.c.payer_claim_number, claims.c.adjudication).where(
        claims.c.submitter == submitter,
        claims.c.payer_claim_number.in_(list(numbers)),
        claims.c.status == "adjudicated",
    )
    return {row.payer_claim_number: row.adjudication for row in await uow.session.execute(query)}
