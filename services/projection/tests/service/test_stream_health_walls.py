"""N1, against the real broker: a tenant's token once saw every tenant's dead letters and the consumer lag. Now a
tenant sees its own letters only (one that names no tenant is no tenant's), and the broker's state (counts per
dead-letter topic, consumer lag) is an installation operator's, who sees every letter."""

from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
from claimstream_devtools.testing import Keys, StackUnderTest
from claimstream_platform.messaging.kafka import dead_letter_topic, ensure_topics, new_admin, new_producer
from projection_testkit import TENANT

OTHER_TENANT = UUID("00000000-0000-0000-0000-00000000beef")


@pytest.fixture
async def origin(stack: StackUnderTest) -> AsyncIterator[str]:
    """A topic of this test's own, with a dead letter of each tenant and one that names no tenant."""
    topic = f"walls-{uuid4().hex[:12]}"
    await ensure_topics(stack.bootstrap_servers, [topic], partitions=1)
    producer = new_producer(stack.bootstrap_servers, client_id="walls-test")
    await producer.start()
    try:
        for tenant in (TENANT, OTHER_TENANT, None):
            headers = [("dlq_topic", topic.encode()), ("dlq_reason", f"for {tenant}".encode())]
            if tenant is not None:
                headers.append(("ce_tenantid", str(tenant).encode()))
            await producer.send_and_wait(dead_letter_topic(topic), value=b"{}", headers=headers)
    finally:
        await producer.stop()
    yield topic
    admin = new_admin(stack.bootstrap_servers)
    await admin.start()
    try:
        await admin.delete_topics([topic, dead_letter_topic(topic)])
    finally:
        await admin.close()


async def health(client: httpx.AsyncClient, token: str) -> dict[str, Any]:
    response = await client.get(
        "/v1/stream/health", params={"latest": 100}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


def reasons(seen: dict[str, Any], topic: str) -> list[str]:
    return sorted(letter["reason"] for letter in seen["latest_dead_letters"] if letter["topic"] == topic)


async def test_each_tenant_sees_its_own_dead_letters_and_only_an_operator_the_broker(
    client: httpx.AsyncClient, keys: Keys, origin: str
) -> None:
    ours = await health(client, keys.issuer.issue(tenant_id=TENANT, roles=["biller"]))
    theirs = await health(client, keys.issuer.issue(tenant_id=OTHER_TENANT, roles=["tenant-admin"]))
    assert reasons(ours, origin) == [f"for {TENANT}"]
    assert reasons(theirs, origin) == [f"for {OTHER_TENANT}"]
    assert (ours["consumer_lag"], ours["dead_letters"]) == (None, {})
    operator = await health(client, keys.issuer.issue_operator(subject="operator:ana"))
    assert reasons(operator, origin) == sorted(f"for {t}" for t in (TENANT, OTHER_TENANT, None))
    assert operator["dead_letters"][dead_letter_topic(origin)] == 3
    assert isinstance(operator["consumer_lag"], list)


async def test_a_role_without_stream_health_is_refused(client: httpx.AsyncClient, keys: Keys) -> None:
    for role in ("front-desk", "ehr-integration", "read-only", "auditor"):
        token = keys.issuer.issue(tenant_id=TENANT, roles=[role])
        response = await client.get("/v1/stream/health", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 403, role
