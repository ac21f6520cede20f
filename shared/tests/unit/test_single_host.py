"""The keys a one-host installation makes (single_host): made once and kept, and each handed only to its holders."""

from pathlib import Path

import pytest
from claimstream_platform import database_roles, single_host


def _contents(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_keys_are_made_once_and_kept_at_every_later_run(tmp_path: Path) -> None:
    keys = single_host.make_keys(tmp_path / "keys")
    first = _contents(keys)
    assert set(first) == {n for pair in single_host.KEYPAIRS for n in pair} | set(single_host.SECRET_FILES)
    single_host.make_keys(keys)
    assert _contents(keys) == first
    private = [p for p in keys.iterdir() if p.name not in single_host.PUBLIC_KEYS]
    assert private and all(p.stat().st_mode & 0o077 == 0 for p in private)
    (keys / "public.pem").unlink()  # a run that died between the halves: the pair is made again, whole
    single_host.make_keys(keys)
    assert (keys / "public.pem").exists() and (keys / "signing.pem").read_bytes() != first["signing.pem"]


def test_each_private_key_goes_to_its_holders_alone_and_the_public_ones_to_all(tmp_path: Path) -> None:
    keys = single_host.make_keys(tmp_path / "keys")
    single_host.hand_out(keys, tmp_path, ["identity", "patient_billing", "projection"])
    assert sorted(p.name for p in (tmp_path / "shared").iterdir()) == sorted(single_host.PUBLIC_KEYS)
    assert sorted(p.name for p in (tmp_path / "identity" / "keys").iterdir()) == ["audit.key", "signing.pem"]
    assert (tmp_path / "identity" / "keys" / "signing.pem").read_bytes() == (keys / "signing.pem").read_bytes()
    billing = sorted(p.name for p in (tmp_path / "patient_billing" / "keys").iterdir())
    assert billing == ["processor-api.key", "processor-webhook.secret", "statement-link.key"]
    assert not (tmp_path / "projection").exists() and not (tmp_path / "console").exists()  # none of its own


async def test_a_kept_password_it_did_not_make_is_refused_before_it_reaches_sql() -> None:
    with pytest.raises(ValueError, match="not one this module made"):
        await database_roles._set_role(None, "x_app", "abc'; DROP ROLE x_owner; --")  # type: ignore[arg-type]


def test_the_servers_tls_and_the_kafka_logins_are_made_once_for_every_service_and_setup(tmp_path: Path) -> None:
    from claimstream_platform.single_host_transport import SETUP_LOGIN
    from cryptography import x509

    single_host.make_files(tmp_path, ["identity", "projection"])
    first = _contents(tmp_path)
    single_host.make_files(tmp_path, ["identity", "projection"])
    assert _contents(tmp_path) == first  # a second start: the same authority, certificate and passwords
    logins = dict(line.split() for line in (tmp_path / "kafka" / "logins").read_text().splitlines())
    assert set(logins) == {"identity", "projection", SETUP_LOGIN}
    assert logins["identity"] == (tmp_path / "identity" / "keys" / "kafka-password").read_text().strip()
    certificate = x509.load_pem_x509_certificate((tmp_path / "postgres" / "server.crt").read_bytes())
    names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert {"kafka", "postgres"} <= set(names.get_values_for_type(x509.DNSName))
    store = (tmp_path / "kafka" / "server.pem").read_text()
    assert store.index("PRIVATE KEY") < store.index("CERTIFICATE")  # Kafka's PEM key store: the key, then the chain
    assert (tmp_path / "shared" / "ca.crt").read_bytes() == (tmp_path / "keys" / "tls" / "ca.crt").read_bytes()
    assert (tmp_path / "identity" / "keys" / "kafka-password").stat().st_mode & 0o077 == 0
