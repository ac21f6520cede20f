"""`make test` on two pytest-xdist workers (claimstream_devtools.parallel): no two workers meet on a port or a data
folder, and what both stacks set up on the machine at once is set up once."""

import json
import os
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from claimstream_devtools import parallel
from claimstream_devtools.devstack import kafka
from claimstream_devtools.devstack import stack as local_stack
from claimstream_devtools.devstack.processes import one_at_a_time
from claimstream_devtools.devstack.services import METRICS_PORT_OFFSET, local_services

pytest_plugins = ["pytester"]

INTEGRATION_PORT_OFFSET = 20000  # tests/integration/conftest.py's default


def what_a_worker_binds(worker: str, monkeypatch: pytest.MonkeyPatch) -> tuple[set[int], Path]:
    """The ports a worker's stack and its black-box services listen on, and its stack's data folder."""
    with monkeypatch.context() as scoped:  # an environment of its own: the worker's settings stay in it
        own = {name: value for name, value in os.environ.items() if name != "TEST_STACK_PORT_BASE"}
        scoped.setattr(os, "environ", own | {parallel.WORKER: worker})
        parallel.pytest_configure()
        profile = local_stack.test_profile()
        servers = {profile.kafka_port, profile.controller_port, profile.postgres_port, profile.smtp_port}
        offset = INTEGRATION_PORT_OFFSET + parallel.port_step()
        apis = {spec.port for spec in local_services(port_offset=offset)}
        return servers | apis | {port + METRICS_PORT_OFFSET for port in apis}, profile.data_dir


def test_no_two_workers_share_a_port_or_a_data_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    first, first_data = what_a_worker_binds("gw0", monkeypatch)
    second, second_data = what_a_worker_binds("gw1", monkeypatch)
    third, third_data = what_a_worker_binds("gw2", monkeypatch)
    assert first_data == local_stack.PROFILES["test"].data_dir  # the first worker is the `test` profile itself
    assert len({first_data, second_data, third_data}) == 3
    assert not first & second and not first & third and not second & third
    assert all(1024 < port < 32768 for port in first | second | third)  # below the kernel's ephemeral ports


def test_a_run_on_two_workers_gives_the_second_a_stack_of_its_own(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real `pytest -n 2`: each test records the worker it ran on and the stack base that worker had (started
    afresh: this test may itself run in `make test`'s second worker)."""
    monkeypatch.delenv(parallel.WORKER, raising=False)
    monkeypatch.delenv("TEST_STACK_PORT_BASE", raising=False)
    record = (
        "import json, os, pathlib\n"
        "def record(name):\n"
        "    seen = {'worker': os.environ['PYTEST_XDIST_WORKER'], 'base': os.environ.get('TEST_STACK_PORT_BASE')}\n"
        f"    (pathlib.Path({str(pytester.path)!r}) / (name + '.json')).write_text(json.dumps(seen))\n"
    )
    for module in ("test_one", "test_two"):
        tests = "".join(f"def test_{n}():\n    record('{module}_{n}')\n" for n in range(6))
        (pytester.path / f"{module}.py").write_text(record + tests)
    pytester.makeini("[pytest]\n")
    result = pytester.runpytest_subprocess("-n", "2", "-p", "claimstream_devtools.parallel")
    result.assert_outcomes(passed=12)
    seen = [json.loads(path.read_text()) for path in pytester.path.glob("*.json")]
    bases = {(each["worker"], each["base"]) for each in seen}
    assert len(seen) == 12 and bases == {("gw0", None), ("gw1", "24000")}, bases


def at_once(work: Any) -> None:
    threads = [threading.Thread(target=work, args=(name,)) for name in ("first", "second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)


def test_two_stacks_setting_the_machine_up_at_once_take_turns(tmp_path: Path) -> None:
    seen: list[str] = []

    def set_up(name: str) -> None:
        with one_at_a_time(tmp_path / "lock"):
            seen.append(name)
            time.sleep(0.3)
            seen.append(name)

    at_once(set_up)
    assert seen in (["first", "first", "second", "second"], ["second", "second", "first", "first"])


def test_the_brokers_jars_are_fetched_once_when_two_stacks_start_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fetches: list[list[str]] = []

    def fetch(command: list[str], **_: Any) -> None:
        fetches.append(command)
        time.sleep(0.3)  # the other stack asks meanwhile

    monkeypatch.setattr(kafka.shutil, "which", lambda _: "/usr/bin/true")
    monkeypatch.setattr(kafka.subprocess, "run", fetch)
    at_once(lambda _: kafka.ensure_jars(tmp_path))
    assert len(fetches) == 1 and (tmp_path / "libs" / ".complete").exists()
