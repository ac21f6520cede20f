"""A fresh local stack wipes its profile's folder, but never the data of a server the environment names: a pytest
started beside a running `make test` points at that run's PostgreSQL, whose data is in this very folder."""

from dataclasses import dataclass
from pathlib import Path

import pytest
from claimstream_devtools.devstack.stack import LocalStack


@dataclass(frozen=True)
class _Profile:
    data_dir: Path


def _profile_folder(root: Path) -> Path:
    for name in ("postgres", "kafka", "service-logs"):
        (root / name).mkdir(parents=True)
        (root / name / "data").write_text("kept?")
    (root / "demo-admin-token").write_text("secret")
    return root


def test_a_fresh_start_keeps_the_data_of_a_server_the_environment_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://someone@127.0.0.1:25432/claimstream")
    monkeypatch.delenv("KAFKA_BOOTSTRAP_SERVERS", raising=False)
    folder = _profile_folder(tmp_path / "test")

    LocalStack(_Profile(folder))._wipe()  # type: ignore[arg-type]

    assert sorted(p.name for p in folder.iterdir()) == ["postgres"]
    assert (folder / "postgres" / "data").read_text() == "kept?"


def test_a_fresh_start_with_its_own_servers_wipes_everything(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("KAFKA_BOOTSTRAP_SERVERS", raising=False)
    folder = _profile_folder(tmp_path / "test")

    LocalStack(_Profile(folder))._wipe()  # type: ignore[arg-type]

    assert list(folder.iterdir()) == []
