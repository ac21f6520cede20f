"""The suite on two cores (`pytest -n 2`, as `make test` runs it): pytest-xdist's workers, each with a test stack
of its own, so that none meets another on a port or a file.

- A worker's stack has its own ports and data folder (`TEST_STACK_PORT_BASE`, read by `stack.test_profile`): the
  first keeps the `test` profile (or the base given), each other one moves by `PORT_STEP` from 24000.
- So do the services a worker runs for the black-box tests (`port_step`, tests/integration/conftest.py). Each worker
  that takes a black-box test starts its own set, once: on two cores that costs less than one worker doing every
  black-box test while the other waits (measured in docs/performance.md).
"""

import os

WORKER = "PYTEST_XDIST_WORKER"  # xdist names each worker's process in it: gw0, gw1, ...
PORT_STEP = 100  # between two workers' ports: more than a stack's servers or a run's services take
SECOND_BASE = 24000  # the second worker's base: clear of the `test` profile, the services' and the kernel's ports


def worker_index() -> int:
    """0 outside xdist and in its first worker."""
    return int(os.environ.get(WORKER, "gw0").removeprefix("gw"))


def port_step() -> int:
    """What this worker adds to the ports of anything it starts on fixed ports."""
    return PORT_STEP * worker_index()


def pytest_configure() -> None:
    """Before any fixture starts a server: every worker but the first moves its stack off the `test` profile."""
    if worker_index() == 0:
        return
    base = int(os.environ.get("TEST_STACK_PORT_BASE", SECOND_BASE - PORT_STEP))
    os.environ["TEST_STACK_PORT_BASE"] = str(base + port_step())
