"""The services under test for the black-box layer: every service, run as `make run` runs them, on ports of their
own, against the session's real Kafka and PostgreSQL (`claimstream_devtools.running_services`)."""

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from claimstream_devtools.parallel import port_step
from claimstream_devtools.running_services import Services, running
from claimstream_devtools.testing import Keys, StackUnderTest
from console_world import ConsoleWorld, build


@pytest.fixture(scope="session")
def services(
    stack: StackUnderTest, keys: Keys, clearinghouse_keys: Keys, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Services]:
    logs = Path(tmp_path_factory.mktemp("service-logs"))
    # beside `make run` (another offset: beside another run of these tests; another step: another xdist worker's)
    offset = int(os.environ.get("INTEGRATION_PORT_OFFSET", "20000")) + port_step()
    with running(stack, keys, clearinghouse_keys, logs, port_offset=offset) as started:
        yield started


@pytest.fixture(scope="session")
def world(services: Services, keys: Keys) -> ConsoleWorld:
    """The console's tests' world (console_world.py), built once for their modules."""
    return asyncio.run(build(services, keys))
