"""A dead letter for the console's operator test: a claim announced for a practice no tenant owns, which each of
its consumers dead-letters (kind `practice`); found on the projection's stream health by its event id."""

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import uuid4

import httpx
from claimstream_devtools.running_services import Services
from claimstream_devtools.testing import Keys, StackUnderTest
from claimstream_platform.contracts.claim_submission import ClaimCreated, ClaimLine
from claimstream_platform.messaging.envelope import EventMetadata, encode_event
from claimstream_platform.messaging.kafka import new_producer


def a_claim_of_nobodys_practice() -> ClaimCreated:
    claim_id = uuid4()
    number = f"P{claim_id.hex[:12].upper()}"
    line = ClaimLine(
        line_number=1, code="90837", modifiers=[], units=1, amount=Decimal("180.00"), control_number=number
    )
    return ClaimCreated(
        tenant_id=uuid4(),
        practice_id=uuid4(),
        claim_id=claim_id,
        encounter_id=uuid4(),
        patient_control_number=number,
        payer_id="SIMMCR",
        frequency="1",
        total_charge=Decimal("180.00"),
        service_date=date.today(),
        lines=[line],
        place_of_service="11",
        payer_kind="medicare",
    )


async def a_dead_letter(services: Services, keys: Keys, stack: StackUnderTest) -> tuple[str, str]:
    """A claim announced for a practice no tenant owns: each consumer of it dead-letters it (kind `practice`)."""
    event = a_claim_of_nobodys_practice()
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

    return await _until(lettered), str(event.claim_id)


async def _until(lettered: Callable[[], Awaitable[str | None]]) -> str:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if (found := await lettered()) is not None:
            return found
        await asyncio.sleep(0.5)
    raise AssertionError("no dead letter of the claim within 60 s")
