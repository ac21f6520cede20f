"""Issue 28: `claimstream dlq list|show|redrive`, through the real command against the real broker and consumers.

An event dead-lettered (a handler refusing it; a type its consumer does not know yet) is listed with its reason
and no payload value; after the fix it is redriven to its topic and partition and applied once; a second redrive
sends nothing (the letter is marked), and one that sends it again (`--again`) applies nothing (the inbox, keyed by
consumer and event id, skips it), for the group that dead-lettered it and for another group of the topic alike.
Scenario 25: a v2 producer's event with a new optional field is applied by a v1 consumer, and a new event type is
parked in the dead-letter topic without stopping the partition, then applied once the consumers know it and it is
redriven: no event lost, none applied twice."""

from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest
from claimstream_platform.db import UnitOfWork
from claimstream_platform.errors import RuleViolation
from example.harness import count_applied
from kafka_reader import header
from redrive_world import (
    Ledger,
    Record,
    a_ledger,
    applied_count_is,
    applied_total,
    apply_entry,
    consumed_past,
    consuming,
    copies,
    dlq,
    message,
    produce,
    the_letter,
    until,
)


@pytest.fixture
async def ledger(stack) -> AsyncIterator[Ledger]:
    async with a_ledger(stack.bootstrap_servers) as ledger:
        yield ledger


async def test_a_refused_event_is_listed_then_redriven_after_the_fix_and_applied_once(ledger, sessionmaker) -> None:
    tenant, refused_entry = uuid4(), uuid4()
    group, other = f"ledger-{uuid4().hex[:8]}", f"other-{uuid4().hex[:8]}"
    refused, _ = await produce(
        ledger,
        message(tenant, ledger.entry_type, refused_entry, "731.19"),
        message(tenant, ledger.entry_type, uuid4(), "5.00"),
    )
    fixed_calls: list[UUID] = []
    seen_by_other: list[UUID] = []

    async def before_the_fix(event: Any, uow: UnitOfWork) -> None:
        if event.amount > 100:
            raise RuleViolation("an entry over 100.00 is refused here", field="amount")
        await apply_entry(event, uow)

    async def the_fix(event: Any, uow: UnitOfWork) -> None:
        fixed_calls.append(event.entry_id)
        await apply_entry(event, uow)

    async def another_group(event: Any, _uow: UnitOfWork) -> None:
        seen_by_other.append(event.entry_id)

    (entry_class,) = ledger.v1
    async with consuming(ledger, sessionmaker, other, {entry_class: another_group}):
        async with consuming(ledger, sessionmaker, group, {entry_class: before_the_fix}):
            letter = await the_letter(ledger, group, refused)
            await until(applied_count_is(sessionmaker, tenant, 1), what="the accepted entry")
        assert (header(letter, "dlq_kind"), header(letter, "ce_id")) == ("handler", refused)
        await listed_without_payload_values(ledger, group, letter)
        await a_dry_run_sends_nothing(ledger, group, refused)
        async with consuming(ledger, sessionmaker, group, {entry_class: the_fix}):
            last = await redriven_applied_once(ledger, sessionmaker, tenant, group, letter)
            await until(lambda: consumed_past(ledger.servers, last, group, other), what="the last copy consumed")

    assert await count_applied(sessionmaker, tenant) == 2
    assert fixed_calls == [refused_entry]  # sent three times, applied once after the fix
    assert len(seen_by_other) == len(set(seen_by_other)) == 2 and refused_entry in seen_by_other  # each once
    listing = await dlq(ledger, "list", "--topic", ledger.topic, "--consumer", group, "--letters")
    assert f"{ledger.dlq}: 1 letter, 1 redriven" in listing and f"{ledger.topic}:{last.partition}:" in listing


async def listed_without_payload_values(ledger: Ledger, group: str, letter: Record) -> None:
    """The letter listed with its reason and ids, shown with its payload's keys; its values only on `--payload`."""
    event_id, address = header(letter, "ce_id") or "", f"{ledger.dlq}:{letter.partition}:{letter.offset}"
    listing = await dlq(ledger, "list", "--topic", ledger.topic, "--consumer", group)
    assert f"{ledger.dlq}: 1 letter, 0 redriven" in listing
    assert "handler" in listing and "RuleViolation: an entry over 100.00 is refused here" in listing
    each = await dlq(ledger, "list", "--topic", ledger.dlq, "--letters")
    assert event_id in each and f"{letter.partition}:{letter.offset}" in each
    where = ("--topic", ledger.dlq, "--partition", str(letter.partition), "--offset", str(letter.offset))
    shown = await dlq(ledger, "show", *where)
    assert "payload     keys amount, entry_id, tenant_id (" in shown and event_id in shown and address in shown
    by_id = await dlq(ledger, "show", "--topic", ledger.topic, "--event-id", event_id)
    assert address in by_id
    everything = await dlq(ledger, "list")  # every dead-letter topic of the broker: this one among them
    assert f"{ledger.dlq}: 1 letter" in everything
    for output in (listing, each, shown, by_id, everything):
        assert "731.19" not in output
    assert '"amount": "731.19"' in await dlq(ledger, "show", *where, "--payload")


async def a_dry_run_sends_nothing(ledger: Ledger, group: str, event_id: str) -> None:
    dry = await dlq(ledger, "redrive", "--topic", ledger.dlq, "--consumer", group, "--dry-run")
    assert "would send back 1 event (1 letter)" in dry and event_id in dry and "nothing sent" in dry
    assert len(await copies(ledger, event_id)) == 1  # the original alone
    assert f"{ledger.dlq}: 1 letter, 0 redriven" in await dlq(ledger, "list", "--topic", ledger.topic)


async def redriven_applied_once(ledger: Ledger, sessionmaker: Any, tenant: UUID, group: str, letter: Record) -> Record:
    """Redriven after the fix: applied; again: nothing sent; `--again`: sent and skipped. Returns the last copy."""
    event_id = header(letter, "ce_id") or ""
    only_this = ("--topic", ledger.dlq, "--consumer", group, "--event-id", event_id)
    assert "sent back 1 event (1 letter)" in await dlq(ledger, "redrive", *only_this)
    await until(applied_count_is(sessionmaker, tenant, 2), what="the redriven entry applied")
    original, copy = await copies(ledger, event_id)
    assert (copy.partition, copy.key, copy.value) == (original.partition, original.key, original.value)
    assert header(copy, "redriven_from") == f"{ledger.dlq}:{letter.partition}:{letter.offset}"
    assert header(copy, "dlq_reason") is None

    twice = await dlq(ledger, "redrive", *only_this)
    assert "sent back 0 events" in twice and "1 letter redriven before: skipped" in twice
    assert len(await copies(ledger, event_id)) == 2  # nothing sent
    assert "sent back 1 event (1 letter)" in await dlq(ledger, "redrive", "--topic", ledger.dlq, "--again")
    *_, last = await copies(ledger, event_id)
    return last


async def test_scenario_25_v1_consumers_beside_v2_producers_lose_no_event_after_the_roll_out_and_redrive(
    ledger, sessionmaker
) -> None:
    tenant, entry_id, group = uuid4(), uuid4(), f"mixed-{uuid4().hex[:8]}"
    _, voided, _ = await produce(
        ledger,
        message(tenant, ledger.entry_type, entry_id, "40.00", memo="a v2 producer's new optional field"),
        message(tenant, ledger.voided_type, entry_id, "40.00"),  # a type the v1 consumers do not know
        message(tenant, ledger.entry_type, entry_id, "2.50"),  # on the same key: behind the unknown type
    )

    async with consuming(ledger, sessionmaker, group, ledger.v1):
        letter = await the_letter(ledger, group, voided)
        await until(applied_count_is(sessionmaker, tenant, 2), what="the v1 consumer past the new type")
    assert (header(letter, "dlq_kind"), header(letter, "dlq_reason")) == (
        "decode",
        f"unknown event type {ledger.voided_type}",
    )
    assert await applied_total(sessionmaker, tenant) == Decimal("42.50")  # the new field ignored, the entry applied

    voided_calls: list[UUID] = []
    async with consuming(ledger, sessionmaker, group, ledger.v2(voided_calls)):  # the v2 consumers roll out
        sent = await dlq(ledger, "redrive", "--topic", ledger.dlq, "--consumer", group, "--kind", "decode")
        assert "sent back 1 event (1 letter)" in sent and voided in sent
        await until(applied_count_is(sessionmaker, tenant, 3), what="the voided entry applied")
        await dlq(ledger, "redrive", "--topic", ledger.dlq, "--again")
        *_, last = await copies(ledger, voided)
        await until(lambda: consumed_past(ledger.servers, last, group), what="the copy sent again consumed")

    assert voided_calls == [entry_id]  # applied once, though sent three times
    assert await count_applied(sessionmaker, tenant) == 3
    assert await applied_total(sessionmaker, tenant) == Decimal("2.50")  # the entries, less the one voided
