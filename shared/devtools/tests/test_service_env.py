"""What each process of the local stack is started with: identity's signing key reaches identity's processes alone;
every other service gets the public key only, even when the shell that started the stack carries the signing key."""

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from claimstream_devtools.devstack.run import _service_env, identitys_own
from claimstream_devtools.devstack.services import ServiceSpec, Supervisor

SPECS = [ServiceSpec("identity", "identity", 8008), ServiceSpec("charge-capture", "charge_capture", 8001)]


def test_only_identitys_processes_are_given_the_signing_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IDENTITY_SIGNING_KEY_FILE", "/somewhere/else/signing.pem")  # left over in the shell
    stack: Any = SimpleNamespace(
        database_url="postgresql+asyncpg://admin:pw@127.0.0.1:1/db", bootstrap_servers="k:1", smtp=("127.0.0.1", 2)
    )
    env = _service_env(stack, tmp_path, None, tmp_path / "clearinghouse-token")
    assert "IDENTITY_SIGNING_KEY_FILE" not in env and env["AUTH_PUBLIC_KEY_FILE"] == str(tmp_path / "public.pem")
    supervisor = Supervisor(env=env, log_dir=tmp_path, only_for=identitys_own(tmp_path))
    identity, capture = SPECS
    for role in ("api", "worker"):
        assert supervisor.process_env(identity, role)["IDENTITY_SIGNING_KEY_FILE"] == str(tmp_path / "signing.pem")
        assert "IDENTITY_SIGNING_KEY_FILE" not in supervisor.process_env(capture, role)
        assert supervisor.process_env(capture, role)["AUTH_PUBLIC_KEY_FILE"] == str(tmp_path / "public.pem")
