"""A fresh local stack wipes its profile's folder, but never the data of a server the environment names (a pytest
started beside a running `make test` points at that run's PostgreSQL, whose data is in this very folder), and
nothing at all while another run's servers answer on the profile's ports."""

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from claimstream_devtools.devstack.stack import LocalStack, Profile


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "test"
    for name in ("postgres", "kafka", "service-logs"):
        (root / name).mkdir(parents=True)
        (root / name / "data").write_text("kept?")
    (root / "demo-admin-token").write_text("secret")
    monkeypatch.setattr(Profile, "data_dir", property(lambda _: root))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("KAFKA_BOOTSTRAP_SERVERS", raising=False)
    return root


@pytest.fixture
def listening() -> Iterator[int]:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        yield server.getsockname()[1]


def _unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _stack(port: int) -> LocalStack:
    return LocalStack(Profile("test", kafka_port=port, controller_port=0, postgres_port=port, smtp_port=port))


def test_a_fresh_start_keeps_the_data_of_a_server_the_environment_names(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://someone@127.0.0.1:25432/claimstream")
    _stack(_unused_port())._wipe()
    assert sorted(p.name for p in folder.iterdir()) == ["postgres"]
    assert (folder / "postgres" / "data").read_text() == "kept?"


def test_a_fresh_start_with_its_own_servers_wipes_everything(folder: Path) -> None:
    _stack(_unused_port())._wipe()
    assert list(folder.iterdir()) == []


def test_a_fresh_start_deletes_nothing_while_another_run_uses_the_profiles_servers(
    folder: Path, listening: int
) -> None:
    """A second pytest beside a running `make test` once deleted that run's database: now it stops first."""
    with pytest.raises(RuntimeError, match="another run"):
        _stack(listening)._wipe()
    assert (folder / "postgres" / "data").read_text() == "kept?"
