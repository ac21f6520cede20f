"""The reliability layer's stack: every service, run as `make run` runs them, on ports of their own, with the
fault-injection seam enabled (`CLAIMSTREAM_FAULTS`, docs/reliability.md) and a smaller budget of payer calls
(`walls_guard.PAYER_BUDGET`). One stack for the whole layer: its tests kill processes, the broker and the database,
and each leaves the stack running again for the next."""

import asyncio
import json
import os
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path

import pytest
from claimstream_devtools.running_services import Services, running
from claimstream_devtools.testing import Keys, StackUnderTest
from injection import Faults
from oracle import Workload, seeded_run, settle
from walls_guard import PAYER_BUDGET


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A fault test waits for its faults and then for the whole cycle to settle: minutes on a busy machine."""
    for item in items:
        if Path(item.path).is_relative_to(Path(__file__).parent):
            # the sustained-load scenario runs as long as it is told to (bench/sustained_bench.py: ten minutes)
            item.add_marker(pytest.mark.timeout(600 + float(os.environ.get("SUSTAINED_SECONDS", "0"))))


SESSION_TIMEOUT_MS = 6_000


@pytest.fixture(scope="session")
def faults_directory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return Path(tmp_path_factory.mktemp("faults"))


@pytest.fixture(scope="session")
def services(
    stack: StackUnderTest,
    keys: Keys,
    clearinghouse_keys: Keys,
    tmp_path_factory: pytest.TempPathFactory,
    faults_directory: Path,
) -> Iterator[Services]:
    logs = Path(tmp_path_factory.mktemp("service-logs"))
    # below the kernel's ephemeral ports (32768 and up): a probe of a port nothing listens on yet can connect to
    # itself there, read its own request back, and hold the port the service is about to bind
    offset = int(os.environ.get("RELIABILITY_PORT_OFFSET", "22000"))
    settings = {
        "CLAIMSTREAM_FAULTS": str(faults_directory),
        "RATE_LIMITS": json.dumps({"payer": asdict(PAYER_BUDGET)}),
        # A killed worker's partitions move to its restarted self after this (the broker's least), not 30 s: the
        # crash tests kill workers a dozen times, and each waited out the whole session.
        "CONSUMER_SESSION_TIMEOUT_MS": str(SESSION_TIMEOUT_MS),
    }
    with running(stack, keys, clearinghouse_keys, logs, port_offset=offset, extra_env=settings) as started:
        yield started


@pytest.fixture
def faults(services: Services, faults_directory: Path) -> Iterator[Faults]:
    """Arm points of the seam; whatever a test left armed is disarmed and every killed process started again."""
    at_hand = Faults(faults_directory, services.supervisor)
    yield at_hand
    at_hand.disarm_all()
    at_hand.supervisor.revive()


@pytest.fixture(scope="session")
def settled_run(services: Services, keys: Keys, stack: StackUnderTest) -> Workload:
    """One seeded run of two tenants, once its cycle has settled, for the tests that read what a whole cycle left
    behind rather than break it (the walls, test_walls*.py). What the oracle still finds is printed, not asserted:
    those tests assert their own scenarios; the oracle's own test is test_oracle.py."""

    async def run() -> Workload:
        workload = await seeded_run(services, keys, seed=1, count=12)
        left = await settle(services, keys, stack.database_url, workload, within=90)
        print(f"\nsettled_run: the oracle finds {left or 'nothing'}")
        return workload

    return asyncio.run(run())
