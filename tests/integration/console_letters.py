"""A dead letter for the console's operator test: a claim announced for a practice no tenant owns, which each of
its consumers dead-letters (kind `practice`); found on the projection's stream health by its event id."""

from datetime import UTC, datetime
from uuid import uuid4

import httpx
from claimstream_devtools.running_services import Services
from claimstream_devtools.testing import Keys, StackUnderTest
from claimstream_platform.messaging.envelope import EventMetadata, encode_event
from claimstream_platform.messaging.kafka import new_producer
from remittance_testkit import claim_created
from walls_world import until


async def a_dead_letter(services: Services, keys: Keys, stack: StackUnderTest) -> tuple[str, str]:
    """A claim announced for a practice no tenant owns: each consumer of it dead-letters it (kind `practice`)."""
    event = claim_created(f"P{uuid4().hex[:12].upper()}", tenant=uuid4(), practice=uuid4())  # nobody's practice
    metadata = EventMetadata(event_id=uuid4(), source="console-tests", time=datetime.now(UTC), correlation_id=uuid4())
    message = encode_event(event, metadata)
    value = message.value if isinstance(message.value, bytes) else message.value.encode()
    producer = new_producer(stack.bootstrap_servers, client_id="console-tests")
    await producer.start()
    try:
        headers = list(message.headers.items())
        await producer.send_and_wait(event.topic, value, key=event.partition_key.encode(), headers=headers)
    finally:
        await producer.stop()
    operator = {"Authorization": f"Bearer {keys.issuer.issue_operator(subject='operator:console-tests')}"}

    async def lettered() -> str | None:
        async with httpx.AsyncClient(base_url=services.projection, headers=operator, timeout=20) as projection:
            health = (await projection.get("/v1/stream/health", params={"latest": 50})).json()
        found = {letter["event_id"] for letter in health["latest_dead_letters"]}
        return str(metadata.event_id) if str(metadata.event_id) in found else None

    return await until(lettered, "its dead letter"), str(event.claim_id)
