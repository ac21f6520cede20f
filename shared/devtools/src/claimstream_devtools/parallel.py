"""The suite on two cores (`pytest -n 2 --dist load --maxschedchunk 2`, as `make test` runs it): pytest-xdist's
workers, each with a test stack of its own, so that no two meet on a server's port or data folder.

- A worker's stack has its own ports and data folder (`TEST_STACK_PORT_BASE`, read by `stack.test_profile`): the
  first keeps the `test` profile (or the base given), each other one moves by `PORT_STEP` a worker (from 24000
  when no base is given).
- So do the services a worker runs for the black-box tests (`port_step`, tests/integration/conftest.py). Each worker
  that takes a black-box test starts its own set, once: on two cores that cost less than one worker doing every
  black-box test while the other ran out of work (docs/performance.md, seventeenth session).
- What a stack sets up on the machine itself (the broker's jars, PostgreSQL's user) is set up under a lock
  (`processes.one_at_a_time`): both workers start their stacks at once.
"""

import os

import pytest

WORKER = "PYTEST_XDIST_WORKER"  # xdist names each worker's process in it: gw0, gw1, ...
PORT_STEP = 100  # between two workers' ports: more than a stack's servers or a run's services take
SECOND_BASE = 24000  # the second worker's base: clear of the `test` profile, the services' and the kernel's ports
MOST_WORKERS = 10  # 100 ports a worker: the eleventh's services would take the first's metrics ports (theirs + 1000)


def worker_index() -> int:
    """0 outside xdist and in its first worker."""
    return int(os.environ.get(WORKER, "gw0").removeprefix("gw"))


def port_step() -> int:
    """What this worker adds to the ports of anything it starts on fixed ports."""
    return PORT_STEP * worker_index()


def pytest_configure() -> None:
    """Before any fixture starts a server: every worker but the first moves its stack off the `test` profile."""
    if worker_index() >= MOST_WORKERS:
        raise pytest.UsageError(f"at most {MOST_WORKERS} workers: their ports are {PORT_STEP} apart")
    if worker_index() == 0:
        return
    base = int(os.environ.get("TEST_STACK_PORT_BASE", SECOND_BASE - PORT_STEP))
    os.environ["TEST_STACK_PORT_BASE"] = str(base + port_step())
