"""`claimstream outbox list|release`: the quarantined outbox rows of one service, and sending them again.

The relay sets a row aside when Kafka will never take it (messaging/outbox.py): too large, its topic gone, a
payload it cannot encode. Once the cause is fixed (the topic created again, the broker's limit raised), an operator
releases the row: its quarantine mark is cleared and the relay publishes it on its next pass, with its event id, so
consumers that saw it already skip it. Rows are named by their sequence number; no payload value is ever printed.

    claimstream outbox list --schema charge_capture
    claimstream outbox release --schema charge_capture (--seq N [N ...] | --all)

Reads DATABASE_URL: a role that may update the service's outbox (its owner, or its app role).
"""

import argparse
import asyncio
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from claimstream_platform.bundling import last_with_commit
from claimstream_platform.db import OUTBOX_WRITTEN, outbox
from claimstream_platform.engines import create_engine, sessions

GROUP = "outbox"


def add_commands(groups: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    group = groups.add_parser(GROUP, help="quarantined outbox rows: list, release (reads DATABASE_URL)")
    commands = group.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("list", help="a service's quarantined rows with their reasons (no payload)")
    listing.add_argument("--schema", required=True, help="the service's schema (its package name)")
    release_command = commands.add_parser("release", help="publish quarantined rows again, once the cause is fixed")
    release_command.add_argument("--schema", required=True, help="the service's schema (its package name)")
    which = release_command.add_mutually_exclusive_group(required=True)
    which.add_argument("--seq", type=int, nargs="+", help="these rows (their sequence numbers)")
    which.add_argument("--all", action="store_true", help="every quarantined row of the service")


def run(args: argparse.Namespace, database_url: str) -> str:
    return asyncio.run(_run(args, database_url))


async def _run(args: argparse.Namespace, database_url: str) -> str:
    engine = create_engine(database_url, schema=args.schema, connections=2)
    try:
        async with sessions(engine)() as session, session.begin():
            if args.command == "list":
                return _lines(await quarantined(session)) or f"no quarantined outbox rows in {args.schema}"
            released = await release(session, None if args.all else args.seq)
            return f"{released} row(s) released: the relay publishes them on its next pass"
    finally:
        await engine.dispose()


async def quarantined(session: AsyncSession) -> Sequence[Any]:
    """The quarantined rows, oldest first: what an operator needs to find the cause, never the payload."""
    columns = (outbox.c.seq, outbox.c.event_id, outbox.c.topic, outbox.c.event_type, outbox.c.tenant_id)
    query = select(*columns, outbox.c.quarantined_at, outbox.c.quarantine_reason)
    return (await session.execute(query.where(outbox.c.quarantined_at.is_not(None)).order_by(outbox.c.seq))).all()


async def release(session: AsyncSession, seqs: list[int] | None) -> int:
    """Clear the quarantine of the given rows (all of them with None); returns how many were quarantined."""
    query = update(outbox).where(outbox.c.quarantined_at.is_not(None), outbox.c.sent_at.is_(None))
    if seqs is not None:
        query = query.where(outbox.c.seq.in_(seqs))
    result = await session.execute(query.values(quarantined_at=None, quarantine_reason=None))
    await last_with_commit(session, OUTBOX_WRITTEN)  # the relay, woken at the commit, publishes them at once
    return int(getattr(result, "rowcount", 0) or 0)


def _lines(rows: Sequence[Any]) -> str:
    return "\n".join(
        f"seq {row.seq}  {row.quarantined_at:%Y-%m-%d %H:%M:%S}  {row.topic}  {row.event_type}  event {row.event_id}"
        f"  tenant {row.tenant_id}  {row.quarantine_reason}"
        for row in rows
    )
