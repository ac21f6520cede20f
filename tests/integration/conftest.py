"""The services under test, run as `make run` runs them: migrate, api and worker processes under the supervisor,
on ports of their own (off the `make run` ones), against the session's real Kafka and PostgreSQL."""

import os
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from uuid import uuid4

import pytest
from claimstream_devtools.devstack.run import identitys_own
from claimstream_devtools.devstack.services import Supervisor, local_services
from claimstream_devtools.testing import Keys, StackUnderTest
from running_services import DEFAULT_SUBMITTER, Services, audit_key_file


def _environment(
    stack: StackUnderTest, keys: Keys, clearinghouse_keys: Keys, simulator_url: str, clearinghouse_token: Path
) -> dict[str, str]:
    """What every service process is started with: the stack, the public keys, and short cycles for the tests
    (identity's signing key is given to identity's processes alone, as `make run` gives it: `identitys_own`)."""
    return {
        "DATABASE_URL": stack.database_url,
        "KAFKA_BOOTSTRAP_SERVERS": stack.bootstrap_servers,
        "AUTH_PUBLIC_KEY_FILE": str(keys.public_key_file),
        "SIMULATOR_PUBLIC_KEY_FILE": str(clearinghouse_keys.public_key_file),
        "SIM_CYCLE_SECONDS": "1",
        "SIM_BUNDLE_835S": "true",  # several payers' 835s in one file, as clearinghouses deliver them
        "SUBMIT_INTERVAL_SECONDS": "0.5",
        "PENDED_WAIT_SECONDS": "1",  # prior authorization asks a pended 278 again after a second
        "CLEARINGHOUSE_URL": simulator_url,
        "CLEARINGHOUSE_TOKEN_FILE": str(clearinghouse_token),
        **DEFAULT_SUBMITTER,
    }


def _exited(supervisor: Supervisor) -> list[str]:
    """The service processes that have exited since the session started."""
    return [f"{c.spec.name} {c.role}" for c in supervisor.children if c.process and c.process.poll() is not None]


@pytest.fixture(scope="session")
def services(
    stack: StackUnderTest, keys: Keys, clearinghouse_keys: Keys, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Services]:
    # every service, found by convention, beside `make run` (another offset: beside another run of these tests)
    specs = local_services(port_offset=int(os.environ.get("INTEGRATION_PORT_OFFSET", "20000")))
    by_package = {spec.package: spec for spec in specs}
    charge_capture, claim_submission = by_package["charge_capture"], by_package["claim_submission"]
    simulator = by_package["clearinghouse_simulator"]
    logs = Path(tmp_path_factory.mktemp("service-logs"))
    clearinghouse_token = logs / "clearinghouse-token"
    account = clearinghouse_keys.issuer.issue(tenant_id=uuid4())
    clearinghouse_token.write_text(account)
    env = _environment(stack, keys, clearinghouse_keys, simulator.url, clearinghouse_token)
    audit_key_file(keys)  # made on first use, where `identitys_own` names it
    supervisor = Supervisor(env=env, log_dir=logs, only_for=identitys_own(keys.public_key_file.parent))
    try:
        supervisor.start(specs)
        auth = {"Authorization": f"Bearer {account}"}
        yield Services(
            charge_capture.url,
            claim_submission.url,
            simulator.url,
            by_package["remittance_posting"].url,
            by_package["denial_management"].url,
            by_package["projection"].url,
            by_package["eligibility"].url,
            by_package["prior_authorization"].url,
            by_package["identity"].url,
            auth,
            partial(_exited, supervisor),
            logs,
            supervisor.process_env(by_package["identity"]),
            supervisor.roles,
        )
    finally:
        supervisor.stop()
