from datetime import timedelta
from uuid import uuid4

import pytest
from claimstream_platform.auth import TokenIssuer, TokenVerifier, generate_keypair
from claimstream_platform.errors import NotFound, Unauthenticated
from claimstream_platform.settings import ServiceSettings
from pydantic import ValidationError


@pytest.fixture
def pair(tmp_path):
    generate_keypair(tmp_path / "k.pem", tmp_path / "k.pub")
    return TokenIssuer.from_file(tmp_path / "k.pem"), TokenVerifier.from_file(tmp_path / "k.pub"), tmp_path / "k.pub"


def test_a_token_carries_its_tenant_and_practice_scope(pair) -> None:
    issuer, verifier, _ = pair
    tenant, practice = uuid4(), uuid4()
    principal = verifier.verify(issuer.issue(tenant_id=tenant, practice_ids=[practice]))
    assert principal.tenant_id == tenant
    assert principal.may_access(practice) and not principal.may_access(uuid4())
    with pytest.raises(NotFound):
        principal.require_practice(uuid4())


def test_a_tenant_wide_token_reaches_every_practice(pair) -> None:
    issuer, verifier, _ = pair
    assert verifier.verify(issuer.issue(tenant_id=uuid4())).may_access(uuid4())


def test_a_tampered_token_is_refused(pair) -> None:
    issuer, verifier, _ = pair
    header, payload, signature = issuer.issue(tenant_id=uuid4()).split(".")
    with pytest.raises(Unauthenticated):
        verifier.verify(f"{header}.{payload[:-2]}AA.{signature}")


def test_an_expired_token_is_refused(pair) -> None:
    issuer, verifier, _ = pair
    with pytest.raises(Unauthenticated, match="token expired"):
        verifier.verify(issuer.issue(tenant_id=uuid4(), lifetime=timedelta(seconds=-5)))


def settings(**overrides: object) -> dict:
    return {"service_name": "x", "database_schema": "x", "kafka_bootstrap_servers": "k:1"} | overrides


def test_settings_refuse_placeholder_passwords(pair) -> None:
    with pytest.raises(ValidationError, match="placeholder password"):
        ServiceSettings(**settings(database_url="postgresql+asyncpg://u:postgres@h/db", auth_public_key_file=pair[2]))


def test_settings_have_no_default_for_credentials(pair, monkeypatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(ValidationError) as missing:
        ServiceSettings(**settings(auth_public_key_file=pair[2]))
    assert {e["loc"][0] for e in missing.value.errors()} == {"database_url"}


def test_a_setting_is_read_from_its_file_in_secrets_dir_where_the_environment_does_not_set_it(
    pair, monkeypatch, tmp_path
) -> None:
    """How a host hands a process its roles' URLs without its environment holding the passwords (single_host)."""
    (tmp_path / "database_url").write_text("postgresql+asyncpg://x_app:from-the-file-1234@h/db\n")
    (tmp_path / "across_tenants_database_url").write_text("postgresql+asyncpg://x_across:also-a-file-1234@h/db")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("ACROSS_TENANTS_DATABASE_URL", "postgresql+asyncpg://x_across:the-environment-99@h/db")
    monkeypatch.setenv("SECRETS_DIR", str(tmp_path))
    loaded = ServiceSettings(**settings(auth_public_key_file=pair[2]))
    assert loaded.database_url.get_secret_value() == "postgresql+asyncpg://x_app:from-the-file-1234@h/db"
    assert "the-environment-99" in loaded.across_tenants_url  # the environment wins over the file
    monkeypatch.delenv("SECRETS_DIR")
    with pytest.raises(ValidationError):  # without the folder, nothing is read from it
        ServiceSettings(**settings(auth_public_key_file=pair[2]))
    monkeypatch.setenv("SECRETS_DIR", str(tmp_path / "absent"))
    with pytest.raises(ValueError, match="SECRETS_DIR"):
        ServiceSettings(**settings(auth_public_key_file=pair[2]))
