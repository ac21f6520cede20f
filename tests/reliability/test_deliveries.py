"""Scenarios 5, 6 and 7 of the reliability catalogue, on the real stack: an event delivered again and an 835 sent
again are applied once; poison on a topic with several consumers goes to the dead-letter topic while its partition
keeps flowing; a claim's events delivered out of order leave the projection as in order."""

import asyncio
import itertools
import random
import time
from collections import Counter
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import httpx
from claim_family import CHARGE, NAMES, Family, balances, family, folded
from claimstream_devtools.running_services import Services
from claimstream_devtools.testing import Keys, StackUnderTest
from claimstream_platform.contracts import (
    IntegrationEvent,
    charge_capture,
    claim_submission,
    denial_management,
    eligibility,
    remittance_posting,
)
from claimstream_platform.contracts.access import AccessRecorded
from effects import changed, money_check, published, snapshot, steady
from oracle import differences, payer_done, seeded_run, settle
from poison import (
    KINDS,
    applied_by,
    assert_lettered_once,
    assert_logged_without_phi,
    kind_of,
    letters_for,
    poison,
    register_practice,
    the_valid_claim,
)
from resent_era import an_era_of, into_the_inbox, listed, reenveloped, stored_from_inbox, uploaded
from topics import CONSUMERS, Message, Send, consumed, drained, metric, produce, producing, records_of

# The events delivered again (scenario 5), each with the groups that apply it: a copy reaches every group of the
# topic, but only these look it up in their inbox (the others drop a type they do not subscribe to).
REDELIVERED: dict[type[IntegrationEvent], tuple[str, ...]] = {
    charge_capture.ChargeCaptured: ("claim-submission", "eligibility", "prior-authorization", "projection"),
    eligibility.EligibilityVerified: ("claim-submission", "projection"),
    claim_submission.ClaimCreated: ("denial-management", "projection", "remittance-posting"),
    claim_submission.ClaimAccepted: ("denial-management", "projection", "remittance-posting"),
    remittance_posting.PaymentPosted: ("billing-office", "claim-submission", "denial-management", "projection"),
    remittance_posting.ClaimDenied: ("denial-management", "projection"),
    denial_management.DenialTriaged: ("projection",),
}
BY_TYPE = {cls.event_type: cls for cls in REDELIVERED}
APPLIED_BY_EVERY_CONSUMER = {  # between them, every group of REDELIVERED applies one of these
    charge_capture.ChargeCaptured,
    claim_submission.ClaimCreated,
    claim_submission.ClaimAccepted,
    remittance_posting.PaymentPosted,
}
COPIES = 3
GROUPS = sorted({group for groups in CONSUMERS.values() for group in groups})
DUPLICATES = "claimstream_events_duplicates_total"
# What a resent 835 may add, and only that: the file and its remittances (as duplicates), their RemittanceReceived
# and the access log's records of the upload and the biller's reads (outbox rows, counted by the projection).
RESENT_835_WRITES = frozenset(
    {
        "remittance_posting.era_files",
        "remittance_posting.remittances",
        "remittance_posting.outbox",
        "projection.stream_counts",
    }
)
RESENT_835_EVENTS = frozenset({remittance_posting.RemittanceReceived.event_type, AccessRecorded.event_type})


async def test_scenario_5_an_event_delivered_again_and_an_835_sent_again_are_applied_once(
    services: Services, keys: Keys, stack: StackUnderTest
) -> None:
    # The payers quiet first: an inbox file holds a cycle's 835s of every tenant, and the 835 sent again below must
    # be one of this run's alone (earlier tests' tenants may still be answered)
    assert await payer_done(stack.database_url, None) == 0
    started = time.monotonic()
    workload = await seeded_run(services, keys, seed=500, tenants=1, count=3)
    assert await settle(services, keys, stack.database_url, workload) == []
    # At rest first: a payer's late 835 would read as a copy applied again (and its postings are to be copied)
    assert await payer_done(stack.database_url, workload) == 0
    (tenant,) = workload.tenants
    again = await to_deliver_again(stack.bootstrap_servers, tenant)
    assert {class_of(m) for m in again} >= APPLIED_BY_EVERY_CONSUMER, "the run published what every consumer applies"
    settled = time.monotonic()

    # and every group at the end of its topics: a projection a few events behind (folding in a backoff) looks
    # steady for a second, and what it folded later would read as a copy applied again
    assert await drained(stack.bootstrap_servers) == []
    before, money = await steady(stack.database_url, [tenant]), await money_check(services, keys, tenant)
    await delivered_again(services, stack, again)
    assert changed(before, await snapshot(stack.database_url, [tenant])) == {}, "a copy was applied again"
    assert await money_check(services, keys, tenant) == money
    redelivered = time.monotonic()

    events = await published(stack.database_url, "remittance_posting", [tenant])
    await an_835_sent_again(services, keys, stack, tenant)
    added = await published(stack.database_url, "remittance_posting", [tenant]) - events
    assert set(added) <= RESENT_835_EVENTS, added
    assert changed(before, await snapshot(stack.database_url, [tenant], leaving_out=RESENT_835_WRITES)) == {}
    assert await money_check(services, keys, tenant) == money
    assert await differences(services, keys, stack.database_url, workload) == []
    print(
        f"\nscenario 5: seeded run settled in {settled - started:.1f} s; {len(again)} events x {COPIES} copies"
        f" skipped in {redelivered - settled:.1f} s; the 835 sent again in {time.monotonic() - redelivered:.1f} s"
    )


async def delivered_again(services: Services, stack: StackUnderTest, again: list[Message]) -> None:
    """COPIES of each message on its topic, consumed by every group, and each copy skipped by the inbox of every
    group that applies its type (their duplicate counters)."""
    skipped = {group: await metric(services, group, DUPLICATES) for group in GROUPS}
    sent = await produce(stack.bootstrap_servers, [m for m in again for _ in range(COPIES)])
    assert await consumed(stack.bootstrap_servers, sent) == []
    expected = Counter(group for m in again for group in REDELIVERED[class_of(m)])
    assert {g: await metric(services, g, DUPLICATES) - skipped[g] for g in GROUPS} == {
        g: float(expected[g] * COPIES) for g in GROUPS
    }, "each copy was skipped by the inbox of every group that applies its type"


def class_of(message: Message) -> type[IntegrationEvent]:
    return BY_TYPE[dict(message.headers)["ce_type"].decode()]


async def to_deliver_again(servers: str, tenant: UUID) -> list[Message]:
    """Two records of each type the run published for the tenant (as they came: the same id, headers, value)."""
    chosen: list[Message] = []
    for topic in sorted({cls.topic for cls in REDELIVERED}):
        found = [Message.of(r) for r in await records_of(servers, topic, [tenant])]
        for cls in (cls for cls in REDELIVERED if cls.topic == topic):
            chosen += [m for m in found if dict(m.headers)["ce_type"] == cls.event_type.encode()][:2]
    return chosen


async def an_835_sent_again(services: Services, keys: Keys, stack: StackUnderTest, tenant: UUID) -> None:
    """One of the tenant's posted 835s into the clearinghouse inbox again (the same bytes; the same ERA in a new
    interchange), then uploaded by its biller: recognised each time, by its bytes or by the payer's trace, stored
    as a duplicate for a person to see, and nothing of it posted again."""
    era = await an_era_of(stack.database_url, tenant)
    assert era is not None, "the run posted an 835 from the inbox"
    exceptions = await listed(services, keys, tenant, "/v1/remittances/exceptions")
    same, anew = await into_the_inbox(stack.database_url, era.submitter, [era.content, reenveloped(era.content)])
    stored = await stored_from_inbox(stack.database_url, [same, anew])
    assert stored[same] == [], "the same bytes again: recognised whole, nothing stored"
    assert stored[anew] and set(stored[anew]) == {"duplicate"}, stored
    status, receipt = await uploaded(services, keys, tenant, era.content)
    assert status == 201 and {r["status"] for r in receipt["remittances"]} == {"duplicate"}, receipt
    statuses = Counter(r["status"] for r in (await listed(services, keys, tenant, "/v1/remittances"))["items"])
    assert statuses["duplicate"] == len(stored[anew]) + len(receipt["remittances"]), statuses
    assert await listed(services, keys, tenant, "/v1/remittances/exceptions") == exceptions


DEAD_LETTERED = "claimstream_events_dead_lettered_total"


async def test_scenario_6_poison_is_dead_lettered_at_once_and_its_partition_flows_on(
    services: Services, keys: Keys, stack: StackUnderTest
) -> None:
    started = time.monotonic()
    tenant, practice = uuid4(), uuid4()
    await register_practice(stack.database_url, practice, tenant)
    claim, valid = the_valid_claim(tenant, practice)
    poisons = poison(valid, practice)
    # The groups that apply a claim's creation: the billing office reads only ClaimSubmitted of this topic, so a
    # poisoned ClaimCreated is none of its business (the unknown type it letters too, left out of the count here).
    groups = REDELIVERED[type(claim)]
    counted = {(g, kind): await metric(services, g, DEAD_LETTERED, kind=kind) for g in groups for kind in KINDS}
    *bad, good = await produce(stack.bootstrap_servers, [*poisons.values(), valid])
    assert {sent.partition for sent in bad} == {good.partition}, "the poison is on the valid claim's partition"
    assert await consumed(stack.bootstrap_servers, [good]) == []
    assert await applied_by(stack.database_url, claim.claim_id) == dict.fromkeys(APPLIED_BY, True)
    flowing = time.monotonic()

    letters = await letters_for(stack.bootstrap_servers, claim.topic, {sent.event_id for sent in bad})
    letters = [letter for letter in letters if letter["dlq_consumer"] in groups]
    kinds = {sent.event_id: kind_of(name) for name, sent in zip(poisons, bad, strict=True)}
    assert_lettered_once(letters, bad, kinds, groups)
    assert await lag_of(services, keys, claim.topic, good.partition, groups) == dict.fromkeys(groups, 0)
    assert {(g, k): await metric(services, g, DEAD_LETTERED, kind=k) - n for (g, k), n in counted.items()} == {
        (g, k): float(sum(1 for kind in kinds.values() if kind == k)) for g in groups for k in KINDS
    }, "each dead letter counted once, by its group and kind"
    for group in groups:
        assert_logged_without_phi(services.log_dir / f"{group}-worker.log", bad)
    print(
        f"\nscenario 6: {len(bad)} poison records, {len(letters)} letters; the valid claim behind them applied by"
        f" {len(groups)} groups in {flowing - started:.1f} s; checked in {time.monotonic() - flowing:.1f} s"
    )


APPLIED_BY = ("remittance_posting.known_claims", "denial_management.claims", "projection.claims")


async def lag_of(services: Services, keys: Keys, topic: str, partition: int, groups: tuple[str, ...]) -> dict[str, int]:
    """Each group's lag on the partition as the projection's stream health shows it to an installation operator."""
    operator = {"Authorization": f"Bearer {keys.issuer.issue_operator(subject='operator:reliability-tests')}"}
    async with httpx.AsyncClient(base_url=services.projection, headers=operator, timeout=30) as projection:
        answer = await projection.get("/v1/stream/health")
    assert answer.status_code == 200, answer.text
    return {
        lag["group"]: lag["lag"]
        for lag in answer.json()["consumer_lag"]
        if lag["topic"] == topic and lag["partition"] == partition and lag["group"] in groups
    }


# Each copy of the claim's family delivered in one order: each event applied by every group of its topic before the
# next is sent, so the groups see them in that order.
ORDERS = {
    "in order": NAMES,
    "the 835s before the 277CA's acceptance": (*NAMES[:2], *NAMES[3:], "accepted"),
    "the reversal before the payment it reverses": (*NAMES[:3], "reversal", "reversed", "paid", "denial", "denied"),
    "the denial before the payment it follows": (*NAMES[:3], "denial", "denied", "reversal", "reversed", "paid"),
    "backwards": tuple(reversed(NAMES)),
    "shuffled (seed 7)": tuple(random.Random(7).sample(NAMES, len(NAMES))),
}
ADJUDICATED = frozenset({"paid", "partially_paid", "denied", "reversed", "forwarded", "informational"})


async def test_scenario_7_a_claims_events_out_of_order_fold_as_they_do_in_order(
    services: Services, keys: Keys, stack: StackUnderTest
) -> None:
    started = time.monotonic()
    tenant, practice = uuid4(), uuid4()
    await register_practice(stack.database_url, practice, tenant)
    families = {order: family(tenant, practice) for order in ORDERS}
    async with producing(stack.bootstrap_servers) as send:
        seen = await asyncio.gather(*(deliver(stack, send, families[o], names) for o, names in ORDERS.items()))
    delivered = time.monotonic()
    views = {order: await settled(stack.database_url, families[order].claim_id) for order in ORDERS}
    checks = {order: await claim_check(services, keys, tenant, families[order].claim_id) for order in ORDERS}
    in_order = views["in order"]
    assert in_order["claim"] is not None and in_order["cases"], in_order
    assert (in_order["claim"]["status"], in_order["claim"]["paid"], in_order["claim"]["denied"]) == (
        "denied",
        Decimal(0),
        CHARGE,
    ), "paid, then taken back and denied"
    assert checks["in order"]["difference"] == "0.00" and checks["in order"]["insurance"] == str(CHARGE)
    for order, statuses in zip(ORDERS, seen, strict=True):
        assert views[order] == in_order, f"{order}: the projection differs from the delivery in order"
        assert checks[order] == checks["in order"], order
        assert min(balances(views[order]).values()) >= 0, f"{order}: a negative balance"
        assert min(views[order]["claim"]["insurance_balance"], views[order]["claim"]["patient_balance"]) >= 0
        went_back = [(a, b) for a, b in itertools.pairwise(statuses) if a in ADJUDICATED and b not in ADJUDICATED]
        assert went_back == [], f"{order}: the claim went back from adjudicated: {statuses}"
    print(
        f"\nscenario 7: {len(ORDERS)} orders of {len(NAMES)} events delivered one by one in"
        f" {delivered - started:.1f} s, converged and compared in {time.monotonic() - delivered:.1f} s"
    )


async def deliver(stack: StackUnderTest, send: Send, copy: Family, names: tuple[str, ...]) -> list[str | None]:
    """The copy's events in this order, each once every group of its topic applied the one before; returns the
    claim's status in the projection after each."""
    statuses = []
    for name in names:
        sent = await send([copy.messages[name]])
        assert await consumed(stack.bootstrap_servers, sent) == [], f"{name} applied by every group"
        claim = (await folded(stack.database_url, copy.claim_id))["claim"]
        statuses.append(claim["status"] if claim else None)
    return statuses


async def settled(database_url: str, claim_id: UUID, *, within: float = 60, quiet: float = 3) -> dict[str, Any]:
    """The projection's view of the claim once denial management's case reached it and it holds still for `quiet`
    seconds (bounded): longer than a word of denial management's takes to be folded, each resting a second after a
    batch (docs/platform.md, Inbox)."""
    deadline, last, since = time.monotonic() + within, None, time.monotonic()
    while time.monotonic() < deadline:
        view = await folded(database_url, claim_id)
        if view != last:
            last, since = view, time.monotonic()
        elif view["cases"] and time.monotonic() - since >= quiet:
            return view
        await asyncio.sleep(0.5)
    return last or {}


async def claim_check(services: Services, keys: Keys, tenant: UUID, claim_id: UUID) -> dict[str, Any]:
    """The money checksum of the claim's encounter, as the projection answers it (the copy's ids taken out)."""
    headers = {"Authorization": f"Bearer {keys.issuer.issue(tenant_id=tenant)}"}
    async with httpx.AsyncClient(base_url=services.projection, headers=headers, timeout=10) as projection:
        answer = await projection.get(f"/v1/ledger/check/claims/{claim_id}")
    assert answer.status_code == 200, answer.text
    return {side: value for side, value in answer.json().items() if side != "encounter_id"}
