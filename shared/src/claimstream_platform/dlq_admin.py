"""`claimstream dlq`: an installation operator's look at the dead-letter topics, and the redrive after a fix.

    claimstream dlq list [--topic T] [--consumer GROUP] [--letters]
    claimstream dlq show --topic T.dlq (--partition P --offset N | --event-id ID) [--payload]
    claimstream dlq redrive --topic T.dlq [--consumer GROUP] [--kind K] [--event-id ID ...] [--again] [--dry-run]

It reads KAFKA_BOOTSTRAP_SERVERS and nothing else: the broker holds the letters, and the consumers' inboxes make a
redrive idempotent (messaging/redrive.py). Nothing it prints is a payload value, but for `show --payload`.
"""

import argparse
import asyncio
import json
import re
from collections import defaultdict
from itertools import groupby
from uuid import UUID

from aiokafka.errors import KafkaError

from claimstream_platform.messaging.letters import (
    Letter,
    Mark,
    dead_letter_topic_named,
    read_letter,
    read_letters,
    read_marks,
    redriven,
)
from claimstream_platform.messaging.redrive import NowhereToSend, Outgoing, Plan, Selection, plan, redrive

GROUP = "dlq"
PAYLOAD_HELP = "also print the event's payload as it came: it carries PHI, print it only where PHI may be seen"


def add_commands(groups: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    dlq = groups.add_parser(GROUP, help="dead letters: list, show, redrive (reads KAFKA_BOOTSTRAP_SERVERS)")
    commands = dlq.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("list", help="each dead-letter topic's letters, grouped by their reasons")
    listing.add_argument("--topic", help="one topic (T or T.dlq); all of them without it")
    listing.add_argument("--consumer", help="only the letters of this consumer group")
    listing.add_argument("--letters", action="store_true", help="a line per letter (ids, type, tenant; no payload)")
    show = commands.add_parser("show", help="one letter: its headers, reason and payload keys")
    show.add_argument("--topic", required=True, help="the dead-letter topic (T.dlq, or T)")
    show.add_argument("--partition", type=int)
    show.add_argument("--offset", type=int)
    show.add_argument("--event-id", type=UUID, help="every letter of this event instead of one offset")
    show.add_argument("--payload", action="store_true", help=PAYLOAD_HELP)
    again = commands.add_parser("redrive", help="send dead-lettered events back to their topic, after a fix")
    again.add_argument("--topic", required=True, help="the dead-letter topic (T.dlq, or T)")
    again.add_argument("--consumer", help="only the letters of this consumer group")
    again.add_argument("--kind", help="only letters of this kind: decode, practice or handler")
    again.add_argument("--event-id", type=UUID, nargs="+", default=[], help="only these events")
    again.add_argument("--again", action="store_true", help="also letters redriven before (the inbox dedupes)")
    again.add_argument("--dry-run", action="store_true", help="say what would be sent; send and mark nothing")


def run(args: argparse.Namespace, bootstrap_servers: str) -> str:
    commands = {"list": _list, "show": _show, "redrive": _redrive}
    try:
        return asyncio.run(commands[args.command](args, bootstrap_servers))
    except KafkaError as error:
        answer = f"the broker at {bootstrap_servers} did not answer ({type(error).__name__})"
        raise SystemExit(f"claimstream: {answer}") from None
    except NowhereToSend as error:
        raise SystemExit(f"claimstream: {error}; nothing was sent") from None


async def _list(args: argparse.Namespace, servers: str) -> str:
    topic = dead_letter_topic_named(args.topic) if args.topic else None
    letters, marks = await asyncio.gather(read_letters(servers, lambda t: topic in (None, t)), read_marks(servers))
    letters = [letter for letter in letters if args.consumer in (None, letter.consumer)]
    if not letters:
        narrowed = (f" on {topic}" if topic else "") + (f" of group {args.consumer}" if args.consumer else "")
        return f"no dead letters{narrowed}"
    lines: list[str] = []
    for dlq_topic, of_topic in groupby(letters, key=lambda letter: letter.dlq_topic):
        lines += _letter_lines(dlq_topic, list(of_topic), marks, args.letters)
    return "\n".join(lines)


def _letter_lines(dlq_topic: str, letters: list[Letter], marks: dict[str, Mark], each: bool) -> list[str]:
    done = [letter for letter in letters if redriven(letter, marks)]
    head = f"{dlq_topic}: {_counted(len(letters), 'letter')}, {len(done)} redriven, {_span(letters)}"
    if each:
        rows = [
            ["partition:offset", "at", "consumer", "kind", "event id", "event type", "tenant", "redriven", "reason"]
        ]
        for letter in letters:
            mark = redriven(letter, marks)
            what = [letter.event_id, letter.event_type, letter.tenant_id, mark.to if mark else "no", letter.reason]
            where = [f"{letter.partition}:{letter.offset}", _time(letter), letter.consumer, letter.kind]
            rows.append(where + [value or "-" for value in what])
        return [head, *_table(rows)]
    groups: dict[tuple[str, str, str], list[Letter]] = defaultdict(list)
    for letter in letters:
        groups[(letter.consumer, letter.kind, _ANY_ID.sub("<id>", letter.reason))].append(letter)
    rows = [["letters", "redriven", "consumer", "kind", "oldest and newest", "reason"]]
    for (consumer, kind, reason), grouped in sorted(groups.items()):
        marked = sum(1 for letter in grouped if redriven(letter, marks))
        rows.append([str(len(grouped)), str(marked), consumer, kind, _span(grouped), reason])
    return [head, *_table(rows)]


# Reasons that name ids (a practice, a tenant) are grouped as one: `show` and `--letters` give each letter's own.
_ANY_ID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b")


def _table(rows: list[list[str]]) -> list[str]:
    """Columns aligned, the last (a reason) as long as it is."""
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]) - 1)]
    return [
        "  " + "  ".join([*(cell.ljust(width) for cell, width in zip(row[:-1], widths, strict=True)), row[-1]])
        for row in rows
    ]


async def _show(args: argparse.Namespace, servers: str) -> str:
    topic = dead_letter_topic_named(args.topic)
    if args.event_id is not None:
        letters = [
            letter
            for letter in await read_letters(servers, lambda t: t == topic)
            if letter.event_id == str(args.event_id)
        ]
    elif args.partition is not None and args.offset is not None:
        found = await read_letter(servers, topic, args.partition, args.offset)
        letters = [found] if found else []
    else:
        raise SystemExit("claimstream: give --partition and --offset, or --event-id")
    if not letters:
        raise SystemExit(f"claimstream: no such letter on {topic}")
    marks = await read_marks(servers)
    return "\n\n".join(_described(letter, redriven(letter, marks), args.payload) for letter in letters)


def _described(letter: Letter, mark: Mark | None, payload: bool) -> str:
    origin = f"{letter.origin_topic} partition {letter.origin_partition} offset {letter.origin_offset}"
    event = f"id {letter.event_id or '-'}, type {letter.event_type or '-'}, tenant {letter.tenant_id or '-'}"
    headers = [f"{name}: {value.decode(errors='replace')[:300]}" for name, value in letter.headers]
    lines = [
        f"letter      {letter.address}, {_time(letter)}",
        f"from        {origin}, consumer group {letter.consumer}",
        f"kind        {letter.kind}",
        f"reason      {letter.reason}",
        f"event       {event}",
        f"redriven    {f'{mark.redriven_at} to {mark.to}' if mark else 'no'}",
        "headers     " + "\n            ".join(headers),
        f"payload     {_payload(letter.value, payload)}",
    ]
    return "\n".join(lines)


def _payload(value: bytes | None, whole: bool) -> str:
    if value is None:
        return "none"
    if whole:
        return value.decode(errors="replace")
    try:
        document = json.loads(value)
    except ValueError:
        return f"{len(value)} bytes, not JSON (--payload prints them: PHI)"
    if not isinstance(document, dict):
        return f"{len(value)} bytes of JSON, not an object (--payload prints them: PHI)"
    return f"keys {', '.join(sorted(document))} ({len(value)} bytes; --payload prints the values: PHI)"


async def _redrive(args: argparse.Namespace, servers: str) -> str:
    topic = dead_letter_topic_named(args.topic)
    selection = Selection(args.consumer, args.kind, frozenset(str(i) for i in args.event_id), args.again)
    letters, marks = await asyncio.gather(read_letters(servers, lambda t: t == topic), read_marks(servers))
    chosen = plan(letters, marks, selection)
    if not args.dry_run:
        await redrive(servers, chosen.events)
    return "\n".join(_redrive_lines(chosen, args.dry_run))


def _redrive_lines(chosen: Plan, dry_run: bool) -> list[str]:
    lines = [f"  {_outgoing(outgoing)}" for outgoing in chosen.events]
    letters = sum(len(outgoing.letters) for outgoing in chosen.events)
    verb = "would send back" if dry_run else "sent back"
    lines.append(f"{verb} {_counted(len(chosen.events), 'event')} ({_counted(letters, 'letter')})")
    if chosen.redriven_before:
        lines.append(
            f"{_counted(chosen.redriven_before, 'letter')} redriven before: skipped (--again sends them again)"
        )
    if chosen.not_events:
        where = ", ".join(letter.address for letter in chosen.not_events)
        lines.append(f"{_counted(len(chosen.not_events), 'letter')} without an event id, not sent: {where}")
    if dry_run:
        lines.append("dry run: nothing sent, nothing marked")
    return lines


def _outgoing(outgoing: Outgoing) -> str:
    letter = outgoing.letter
    event = f"event {letter.event_id} {letter.event_type or '-'} tenant {letter.tenant_id or '-'}"
    sources = ", ".join(each.address for each in outgoing.letters)
    partition = "" if letter.origin_partition is None else f":{letter.origin_partition}"
    return f"{event} from {sources} to {outgoing.to or letter.origin_topic + partition}"


def _counted(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


def _span(letters: list[Letter]) -> str:
    times = sorted(_time(letter) for letter in letters)
    return times[0] if len(times) == 1 or times[0] == times[-1] else f"{times[0]} to {times[-1]}"


def _time(letter: Letter) -> str:
    return letter.at.strftime("%Y-%m-%dT%H:%M:%SZ")
