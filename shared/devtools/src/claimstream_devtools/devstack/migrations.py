"""Every service's migrations in one process, for a local stack (`Supervisor.start`): `python -m <package>
migrate` imports the platform and the whole service before it migrates, three to four seconds of CPU a process
on the slow test machine, twelve times at every start; one process imports the platform once.

`python -m claimstream_devtools.devstack.migrations` reads its plan from stdin, as JSON: `[[package, environment],
...]`, each environment the one the supervisor gives that service's processes. It holds the service's owner role
and its password: a pipe, not a file or the command line.
"""

import importlib
import json
import os
import sys


def migrate_all(plan: list[tuple[str, dict[str, str]]]) -> None:
    """In the plan's order, each under its own environment alone: its settings are read from it."""
    for package, environment in plan:
        os.environ.clear()
        os.environ.update(environment)
        service = importlib.import_module(f"{package}.service").SERVICE
        try:
            service.migrate()
        except Exception as failed:
            failed.add_note(f"while migrating {package}")
            raise


if __name__ == "__main__":
    migrate_all(json.load(sys.stdin))
