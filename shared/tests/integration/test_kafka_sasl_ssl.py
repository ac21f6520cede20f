"""Issue 29: the platform reaches Kafka as a cluster serves it, SCRAM-SHA-512 logins over TLS from an authority the
client is told to trust. A broker of the local stack's own takes only that on a second listener (its certificate
signed by an authority made for the test): a service's outbox relay publishes through it and a consumer applies
what it reads; a wrong password and an untrusted authority are refused (docs/deploy.md, "Transport")."""

import dataclasses
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from uuid import uuid4

import pytest
from aiokafka.errors import KafkaError
from claimstream_devtools.devstack.kafka import LIGHT_JVM, KafkaBroker, SaslSslListener
from claimstream_devtools.devstack.processes import free_port
from claimstream_devtools.devstack.stack import repository_root
from claimstream_devtools.testing import StackUnderTest
from claimstream_platform.authority import make_server_tls
from claimstream_platform.messaging.kafka import ensure_topics, new_producer
from claimstream_platform.transport import KafkaTransport, kafka_transport, use_kafka_transport
from example.harness import consume_until, drain, record, relay
from example.service import TOPIC
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

USER, PASSWORD = "example-ledger", "a-scram-password-for-the-test"


@pytest.fixture(scope="module")
def secure_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SaslSslListener, Path]]:
    folder = tmp_path_factory.mktemp("sasl-ssl-broker")
    tls = make_server_tls(folder / "tls")
    listener = SaslSslListener(port=free_port(), tls=tls, users={USER: PASSWORD})
    broker = KafkaBroker(
        data_dir=folder / "kafka",
        cache_dir=repository_root() / ".cache" / "kafka",
        port=free_port(),
        controller_port=free_port(),
        heap="256m",
        jvm=LIGHT_JVM,
        secure=listener,
    )
    broker.start()
    try:
        yield listener, tls.ca_file
    finally:
        broker.stop()


@pytest.fixture
async def transport(secure_broker: tuple[SaslSslListener, Path]) -> AsyncIterator[KafkaTransport]:
    """The process's Kafka transport the service kit would set from KAFKA_SECURITY_PROTOCOL=SASL_SSL and the rest."""
    before, (_, ca_file) = kafka_transport(), secure_broker
    given = KafkaTransport("SASL_SSL", USER, PASSWORD, ca_file)
    use_kafka_transport(given)
    try:
        yield given
    finally:
        use_kafka_transport(before)


@pytest.mark.usefixtures("transport")
async def test_a_service_publishes_and_consumes_through_scram_logins_over_verified_tls(
    stack: StackUnderTest, sessionmaker: async_sessionmaker[AsyncSession], secure_broker: tuple[SaslSslListener, Path]
) -> None:
    listener, _ = secure_broker
    secure = dataclasses.replace(stack, bootstrap_servers=listener.bootstrap_servers, broker=None)
    await ensure_topics(secure.bootstrap_servers, [TOPIC])
    tenant = uuid4()
    await record(sessionmaker, tenant, count=3)
    assert await drain(relay(sessionmaker, secure)) >= 3
    consumer = await consume_until(secure, sessionmaker, tenant, expected=3)
    assert consumer.bootstrap_servers == listener.bootstrap_servers


async def test_a_wrong_password_and_an_untrusted_authority_are_refused(
    secure_broker: tuple[SaslSslListener, Path], transport: KafkaTransport, tmp_path: Path
) -> None:
    listener, _ = secure_broker
    admitted = new_producer(listener.bootstrap_servers, client_id="admitted")
    await admitted.start()  # the same client, the right password and authority: in
    await admitted.stop()
    strangers = make_server_tls(tmp_path / "another-authority").ca_file
    for refused in (
        dataclasses.replace(transport, password="not-the-password"),
        dataclasses.replace(transport, ca_file=strangers),
    ):
        use_kafka_transport(refused)
        producer = new_producer(listener.bootstrap_servers, client_id="refused")
        with pytest.raises(KafkaError):
            await producer.start()
        await producer.stop()
