"""The transactional outbox and its relay, against real PostgreSQL and Kafka."""

import asyncio
from decimal import Decimal
from uuid import uuid4

import pytest
from aiokafka import AIOKafkaProducer
from claimstream_devtools.testing import StackUnderTest
from claimstream_platform import outbox_admin, telemetry
from claimstream_platform.db import UnitOfWork, outbox
from claimstream_platform.locks import advisory_lock_id
from claimstream_platform.messaging.kafka import ensure_topics, new_producer
from claimstream_platform.messaging.outbox import OutboxRelay, pending_count, quarantined_count
from example.harness import consume_until, drain, record, relay, tenant_records
from example.service import TOPIC, EntryRecorded, applied, record_entry
from kafka_reader import header
from sqlalchemy import event, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine


@pytest.fixture(autouse=True)
async def topic(stack: StackUnderTest) -> None:
    await ensure_topics(stack.bootstrap_servers, [TOPIC])


async def test_a_rolled_back_change_publishes_nothing(stack, sessionmaker) -> None:
    tenant = uuid4()
    with pytest.raises(RuntimeError):
        async with UnitOfWork(sessionmaker) as uow:
            await record_entry(uow, tenant_id=tenant, practice_id=uuid4(), amount=Decimal("10.00"))
            raise RuntimeError("the handler failed after staging its event")

    assert await drain(relay(sessionmaker, stack)) == 0
    assert await tenant_records(stack, tenant) == []


async def test_a_committed_change_is_published_once_to_its_topic_and_key(stack, sessionmaker) -> None:
    tenant = uuid4()
    [entry_id] = await record(sessionmaker, tenant)

    assert await drain(relay(sessionmaker, stack)) == 1
    assert await drain(relay(sessionmaker, stack)) == 0  # marked sent: never again

    [published] = await tenant_records(stack, tenant)
    assert published.key == f"{tenant}:{entry_id}".encode()
    assert header(published, "ce_type") == "claimstream.example.entry-recorded.v1"
    assert header(published, "ce_subject") == str(entry_id)
    assert header(published, "ce_source") == "example-ledger"
    async with sessionmaker() as session:
        row = (await session.execute(select(outbox))).one()
    assert header(published, "ce_id") == str(row.event_id)
    assert row.sent_at is not None


class RelayThatDiesBeforeMarkingSent(OutboxRelay):
    async def mark_sent(self, session: AsyncSession, seqs: list[int]) -> None:
        raise SystemExit("killed after the broker acknowledged, before the rows were marked")


async def test_a_relay_killed_after_publishing_resends_and_the_inbox_absorbs_the_copy(stack, sessionmaker) -> None:
    tenant = uuid4()
    entry_ids = await record(sessionmaker, tenant, count=5)
    crashing = RelayThatDiesBeforeMarkingSent(
        sessionmaker=sessionmaker, bootstrap_servers=stack.bootstrap_servers, source="x"
    )
    producer = new_producer(stack.bootstrap_servers, client_id="crashing-relay")
    await producer.start()
    with pytest.raises(SystemExit):
        await crashing.publish_batch(producer)
    await producer.stop()
    async with sessionmaker() as session:
        assert await pending_count(session) == 5  # the mark was rolled back with the crash

    assert await drain(relay(sessionmaker, stack)) == 5
    published = await tenant_records(stack, tenant)
    assert len(published) == 10  # every event twice on the topic

    await consume_until(stack, sessionmaker, tenant, expected=5)
    async with sessionmaker() as session:
        rows = (await session.execute(select(applied.c.entry_id).where(applied.c.tenant_id == tenant))).scalars().all()
    assert sorted(rows) == sorted(entry_ids)  # each effect once


class RelayThatFailsAfterMarking(OutboxRelay):
    async def mark_sent(self, session: AsyncSession, seqs: list[int]) -> None:
        await super().mark_sent(session, seqs)  # said for the commit, which never comes
        raise RuntimeError("the pass failed after its mark was told, before its commit")


async def test_a_pass_that_fails_after_its_mark_leaves_its_rows_pending_and_the_next_sends_them(
    stack, sessionmaker
) -> None:
    """The mark goes with the COMMIT: a pass rolled back never says it, not even at the connection's next commit."""
    tenant = uuid4()
    await record(sessionmaker, tenant, count=3)
    failing = RelayThatFailsAfterMarking(
        sessionmaker=sessionmaker, bootstrap_servers=stack.bootstrap_servers, source="example-ledger"
    )
    with pytest.raises(RuntimeError):
        await drain(failing)
    await record(sessionmaker, uuid4())  # a commit on the pool's connection: says nothing of the failed pass
    async with sessionmaker() as session:
        assert await pending_count(session) == 4

    assert await drain(relay(sessionmaker, stack)) == 4
    assert len(await tenant_records(stack, tenant)) == 6  # the three twice: at least once


async def test_one_relay_publishes_at_a_time_and_a_pass_sends_one_statement_of_its_own(
    stack, engine, sessionmaker
) -> None:
    """A pass while another holds the service's relay turn reads nothing and leaves the rows pending. The try for the
    turn goes with a pass's BEGIN and the mark of what it published with its COMMIT (`bundling`): the read of the
    pending rows is the one statement a pass sends of its own."""
    await record(sessionmaker, uuid4(), count=3)
    running = relay(sessionmaker, stack)
    async with sessionmaker() as holder, holder.begin():
        await holder.execute(
            text("SELECT pg_advisory_xact_lock(:id)"), {"id": advisory_lock_id("outbox:example-ledger")}
        )
        assert await drain(running) == 0
        async with sessionmaker() as session:
            assert await pending_count(session) == 3
    sent: list[str] = []
    event.listen(engine.sync_engine, "before_cursor_execute", lambda *args: sent.append(args[2]))

    assert await drain(running) == 3  # a pass that published the three, and one that found none
    assert len(sent) == 2 and all("FROM outbox" in statement for statement in sent)
    async with sessionmaker() as session:
        assert await pending_count(session) == 0


async def test_a_relay_on_connections_of_another_kind_says_its_words_as_statements_of_their_own(
    stack, schema, sessionmaker
) -> None:
    """Plain asyncpg connections (no BEGIN or COMMIT to carry them): the turn and the mark go as statements, the mark
    with its rows as a parameter, one text the driver prepares once for any rows."""
    await record(sessionmaker, uuid4(), count=2)
    plain = create_async_engine(stack.database_url, connect_args={"server_settings": {"search_path": schema}})
    sent: list[str] = []
    event.listen(plain.sync_engine, "before_cursor_execute", lambda *args: sent.append(args[2]))
    try:
        assert await drain(relay(async_sessionmaker(plain), stack)) == 2
    finally:
        await plain.dispose()
    assert len(sent) == 5  # the turn and the read of each pass, and the mark of the one that published
    [mark] = [statement for statement in sent if statement.startswith("UPDATE outbox")]
    assert "$1" in mark  # the rows a parameter, not literals
    async with sessionmaker() as session:
        assert await pending_count(session) == 0


async def test_writes_made_while_the_broker_is_down_are_published_when_it_returns(stack, sessionmaker) -> None:
    if stack.broker is None:
        pytest.skip("needs a broker this test may stop")
    tenant = uuid4()
    running = relay(sessionmaker, stack)
    task = asyncio.create_task(running.run())
    try:
        before = await record(sessionmaker, tenant, count=10)
        await asyncio.to_thread(stack.broker.stop)
        during = await record(sessionmaker, tenant, count=40)  # the service keeps accepting writes
        async with sessionmaker() as session:
            assert await pending_count(session) >= 40
        await asyncio.to_thread(stack.broker.start)
        async with asyncio.timeout(90):
            while True:
                async with sessionmaker() as session:
                    if await pending_count(session) == 0:
                        break
                await asyncio.sleep(0.5)
    finally:
        running.stop()
        await task

    published = await tenant_records(stack, tenant)
    subjects = {header(r, "ce_subject") for r in published}
    assert subjects == {str(i) for i in before + during}


async def test_the_trace_of_the_request_that_made_an_event_travels_with_it(stack, sessionmaker) -> None:
    from opentelemetry import trace
    from opentelemetry.sdk.trace import TracerProvider

    tracer = TracerProvider().get_tracer("test")
    tenant = uuid4()
    with tracer.start_as_current_span("POST /v1/entries") as span:
        await record(sessionmaker, tenant)
        trace_id = f"{span.get_span_context().trace_id:032x}"
    assert trace.get_current_span() is not span
    await drain(relay(sessionmaker, stack))

    [published] = await tenant_records(stack, tenant)
    traceparent = header(published, "traceparent") or ""
    assert traceparent.split("-")[1] == trace_id


async def test_a_row_too_large_for_the_broker_is_quarantined_with_its_reason_and_the_rows_after_it_publish(
    stack, sessionmaker
) -> None:
    """Issue 28: one unpublishable row once stalled the whole outbox (every KafkaError meant "waiting for Kafka")."""
    tenant = uuid4()
    first = await record(sessionmaker, tenant)
    huge = uuid4()  # over the broker's default limit of about 1 MB
    async with sessionmaker() as session, session.begin():
        await session.execute(
            insert(outbox).values(
                event_id=huge,
                topic=TOPIC,
                key=f"{tenant}:{huge}",
                event_type=EntryRecorded.event_type,
                subject=str(huge),
                tenant_id=tenant,
                correlation_id=huge,
                payload=b'{"note": "' + b"x" * 2_000_000 + b'"}',
            )
        )
    after = await record(sessionmaker, tenant, count=3)
    running = relay(sessionmaker, stack)

    assert await drain(running) == 5  # every row left the pending list: four published, one set aside
    assert await drain(running) == 0  # the quarantined row is not tried again

    published = await tenant_records(stack, tenant)
    assert sorted(header(r, "ce_subject") or "" for r in published) == sorted(str(i) for i in first + after)
    async with sessionmaker() as session:
        row = (await session.execute(select(outbox).where(outbox.c.event_id == huge))).one()
        assert (await pending_count(session), await quarantined_count(session)) == (0, 1)
    assert row.sent_at is None and row.quarantined_at is not None
    assert row.quarantine_reason == "MessageSizeTooLargeError: refused by Kafka"
    await running._measure_backlog()  # what the running relay measures every few seconds, for the metric
    gauge = telemetry._observe_quarantined(None)  # type: ignore[arg-type]
    assert [o.value for o in gauge if o.attributes == {"service": "example-ledger"}] == [1]


async def test_rows_for_a_topic_that_does_not_exist_are_quarantined_and_the_others_publish(stack, sessionmaker) -> None:
    """A deleted topic (the broker creates none on its own): its rows are set aside after one metadata wait."""
    tenant, gone = uuid4(), f"deleted-{uuid4().hex[:8]}.v1"
    first = await record(sessionmaker, tenant)
    async with sessionmaker() as session, session.begin():
        for _ in range(3):
            event = EntryRecorded(tenant_id=tenant, entry_id=uuid4(), amount=Decimal("1.00"))
            row = {"topic": gone, "key": event.partition_key, "event_type": event.event_type, "subject": event.subject}
            payload = event.model_dump_json().encode()
            await session.execute(
                insert(outbox).values(
                    event_id=uuid4(), tenant_id=tenant, correlation_id=uuid4(), payload=payload, **row
                )
            )
    after = await record(sessionmaker, tenant)
    producer = AIOKafkaProducer(bootstrap_servers=stack.bootstrap_servers, acks="all", request_timeout_ms=2_000)
    await producer.start()
    try:
        assert await relay(sessionmaker, stack).publish_batch(producer) == 5
    finally:
        await producer.stop()

    published = await tenant_records(stack, tenant)
    assert sorted(header(r, "ce_subject") or "" for r in published) == sorted(str(i) for i in first + after)
    async with sessionmaker() as session:
        reasons = (await session.execute(select(outbox.c.quarantine_reason).where(outbox.c.topic == gone))).scalars()
        assert list(reasons) == ["UnknownTopicOrPartitionError: the topic does not exist"] * 3
        assert await pending_count(session) == 0


async def test_an_operator_lists_a_quarantined_row_and_releases_it_once_its_topic_exists(stack, sessionmaker) -> None:
    """`claimstream outbox list|release`: the row set aside for a missing topic is published once the topic is
    back, with its own event id; the other quarantined rows stay aside."""
    tenant, gone = uuid4(), f"recreated-{uuid4().hex[:8]}.v1"
    event = EntryRecorded(tenant_id=tenant, entry_id=uuid4(), amount=Decimal("2.00"))
    async with sessionmaker() as session, session.begin():
        row = {"topic": gone, "key": event.partition_key, "event_type": event.event_type, "subject": event.subject}
        values = {"tenant_id": tenant, "correlation_id": uuid4(), "payload": event.model_dump_json().encode()}
        await session.execute(insert(outbox).values(event_id=event.entry_id, **row, **values))
    producer = AIOKafkaProducer(bootstrap_servers=stack.bootstrap_servers, acks="all", request_timeout_ms=2_000)
    await producer.start()
    try:
        await relay(sessionmaker, stack).publish_batch(producer)
    finally:
        await producer.stop()
    async with sessionmaker() as session:
        listed = [r for r in await outbox_admin.quarantined(session) if r.topic == gone]
    assert [(r.event_id, r.quarantine_reason) for r in listed] == [
        (event.entry_id, "UnknownTopicOrPartitionError: the topic does not exist")
    ]

    await ensure_topics(stack.bootstrap_servers, [gone])
    async with sessionmaker() as session, session.begin():
        assert await outbox_admin.release(session, [listed[0].seq]) == 1
    assert await drain(relay(sessionmaker, stack)) >= 1
    async with sessionmaker() as session:
        published = (await session.execute(select(outbox).where(outbox.c.event_id == event.entry_id))).one()
        assert published.sent_at is not None and published.quarantined_at is None
        assert listed[0].seq not in [r.seq for r in await outbox_admin.quarantined(session)]
