"""The services under test, run as `make run` runs them: migrate, api and worker processes under the supervisor,
on ports of their own (off the `make run` ones), against the session's real Kafka and PostgreSQL."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from claimstream_platform.devstack.services import ServiceSpec, Supervisor
from claimstream_platform.testing import Keys, StackUnderTest
from running_services import Services


@pytest.fixture(scope="session")
def services(stack: StackUnderTest, keys: Keys, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    charge_capture = ServiceSpec("charge-capture", "charge_capture", 28001)
    simulator = ServiceSpec("clearinghouse-simulator", "clearinghouse_simulator", 28010)
    supervisor = Supervisor(
        env={
            "DATABASE_URL": stack.database_url,
            "KAFKA_BOOTSTRAP_SERVERS": stack.bootstrap_servers,
            "AUTH_PUBLIC_KEY_FILE": str(keys.public_key_file),
            "SIM_CYCLE_SECONDS": "1",
        },
        log_dir=Path(tmp_path_factory.mktemp("service-logs")),
    )
    try:
        supervisor.start([charge_capture, simulator])
        yield Services(charge_capture.url, simulator.url)
    finally:
        supervisor.stop()
