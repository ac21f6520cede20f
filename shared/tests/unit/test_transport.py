"""Issue 29: encrypted, authenticated transport. PostgreSQL's TLS is libpq's words in the URL, as asyncpg takes them;
Kafka's is SCRAM-SHA-512 over TLS from the settings, on every client the platform makes; a half-given or unsafe
setting is refused at start, naming what is wrong."""

import ssl
from pathlib import Path

import certifi
import pytest
from claimstream_platform.messaging.kafka import new_admin, new_consumer, new_producer, new_reader
from claimstream_platform.settings import ServiceSettings
from claimstream_platform.transport import KafkaTransport, kafka_transport, postgres_tls, use_kafka_transport
from pydantic import ValidationError

CA = certifi.where()  # a bundle of real authorities: loaded, it shows the file was read
URL = "postgresql+asyncpg://app:s3cret-enough@db.example:5432/claimstream"


def test_no_sslmode_is_plain_as_the_local_stack_runs_and_says_so_to_asyncpg() -> None:
    """`ssl=False` given: asyncpg's own default (`prefer`) or a PGSSLMODE would otherwise decide."""
    url, arguments = postgres_tls(URL)
    assert arguments == {"ssl": False} and url.render_as_string(hide_password=False) == URL


def test_verify_full_checks_the_authority_and_the_hosts_name() -> None:
    url, arguments = postgres_tls(f"{URL}?sslmode=verify-full&sslrootcert={CA}&application_name=x")
    context = arguments["ssl"]
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    assert context.get_ca_certs(), "the authority file was not loaded"
    assert dict(url.query) == {"application_name": "x"}, "libpq's words are not passed on to asyncpg"


def test_verify_ca_checks_the_authority_alone_and_require_only_encrypts_unless_an_authority_is_given() -> None:
    verify_ca = postgres_tls(f"{URL}?sslmode=verify-ca&sslrootcert={CA}")[1]["ssl"]
    assert verify_ca.verify_mode == ssl.CERT_REQUIRED and not verify_ca.check_hostname
    required = postgres_tls(f"{URL}?sslmode=require")[1]["ssl"]
    assert required.verify_mode == ssl.CERT_NONE
    given = postgres_tls(f"{URL}?sslmode=require&sslrootcert={CA}")[1]["ssl"]  # libpq's reading: verify-ca
    assert given.verify_mode == ssl.CERT_REQUIRED and given.get_ca_certs()


@pytest.mark.parametrize(
    ("query", "refusal"),
    [
        ("sslmode=verify-ca", "verify-ca needs sslrootcert"),  # the public authorities vouch for any name
        (f"sslmode=disable&sslrootcert={CA}", "sslmode is disable"),
        ("ssl=prefer", "ssl is not taken"),  # asyncpg's own word, which would get round the refusal of prefer
        ("sslmode=verify-full&sslcert=/c.pem&sslkey=/k.pem", "sslcert, sslkey is not taken"),
    ],
)
def test_tls_words_that_would_check_less_than_they_seem_are_refused(query: str, refusal: str) -> None:
    with pytest.raises(ValueError, match=refusal):
        postgres_tls(f"{URL}?{query}")


@pytest.mark.parametrize("mode", ["prefer", "allow", "verify_full"])
def test_an_sslmode_that_may_fall_back_to_plain_text_or_is_misspelt_is_refused_at_start(
    mode: str, tmp_path: Path
) -> None:
    key = tmp_path / "k.pub"
    key.write_text("unused")
    with pytest.raises(ValidationError, match=f"sslmode '{mode}' is not taken"):
        ServiceSettings(**_settings(key, database_url=f"{URL}?sslmode={mode}"))


async def test_sasl_ssl_is_scram_sha_512_over_tls_on_every_client_the_platform_makes() -> None:
    transport = KafkaTransport("SASL_SSL", "claim-submission", "kafka-s3cret", Path(CA))
    assert "kafka-s3cret" not in repr(transport)
    before = kafka_transport()
    use_kafka_transport(transport)
    try:
        clients = [
            new_producer("k:9093", client_id="p").client,
            new_consumer("k:9093", group_id="g", topics=["t"], listener=None, max_records=1)._client,  # type: ignore[arg-type]
            new_reader("k:9093")._client,
            new_admin("k:9093")._client,
        ]
    finally:
        use_kafka_transport(before)
    for client in clients:
        assert (client._security_protocol, client._sasl_mechanism) == ("SASL_SSL", "SCRAM-SHA-512")
        assert (client._sasl_plain_username, client._sasl_plain_password) == ("claim-submission", "kafka-s3cret")
        assert client._ssl_context.verify_mode == ssl.CERT_REQUIRED and client._ssl_context.check_hostname


def test_settings_give_the_transport_with_the_password_read_from_its_file(tmp_path: Path) -> None:
    key, password = tmp_path / "k.pub", tmp_path / "kafka-password"
    key.write_text("unused")
    password.write_text("kafka-s3cret\n")
    given = {"kafka_security_protocol": "SASL_SSL", "kafka_sasl_username": "eligibility"}
    loaded = ServiceSettings(**_settings(key, **given, kafka_sasl_password_file=password, kafka_ca_file=CA))
    assert loaded.kafka_transport() == KafkaTransport("SASL_SSL", "eligibility", "kafka-s3cret", Path(CA))
    with pytest.raises(ValidationError, match="SASL_SSL needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD_FILE"):
        ServiceSettings(**_settings(key, kafka_security_protocol="SASL_SSL"))
    with pytest.raises(ValidationError, match="no Kafka password file at"):
        ServiceSettings(**_settings(key, **given, kafka_sasl_password_file=tmp_path / "missing"))
    with pytest.raises(ValidationError, match="KAFKA_SECURITY_PROTOCOL is PLAINTEXT"):
        ServiceSettings(**_settings(key, kafka_ca_file=CA))
    for protocol in ("PLAINTEXT", "SSL"):  # a login given where none is sent is a mistake to name, not to drop
        with pytest.raises(ValidationError, match=f"is {protocol}, not SASL_SSL"):
            ServiceSettings(**_settings(key, kafka_security_protocol=protocol, kafka_sasl_password_file=password))
    with pytest.raises(ValidationError, match="no Kafka authority file at"):
        ServiceSettings(**_settings(key, kafka_security_protocol="SSL", kafka_ca_file=tmp_path / "missing.crt"))


def _settings(key: Path, **overrides: object) -> dict[str, object]:
    given = {"service_name": "x", "database_schema": "x", "kafka_bootstrap_servers": "k:1", "database_url": URL}
    return given | {"auth_public_key_file": key} | overrides
