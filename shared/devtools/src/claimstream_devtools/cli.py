"""The `claimstream-dev` command: the local stack and what a development checkout does with it.

    claimstream-dev up                 Kafka, PostgreSQL and every service until Ctrl-C (what `make run` runs)
    claimstream-dev schemas DIR        every event's JSON Schema and the AsyncAPI document (what `make schemas` runs)
    claimstream-dev admin ...          `claimstream admin ...` against the local stack: DATABASE_URL, when not
                                       set, is the local stack's
    claimstream-dev identity ...       `python -m identity ...` against the local stack, with identity's settings
                                       (its schema, the stack's signing key): issue-integration, create-admin, ...
    claimstream-dev dlq ...            `claimstream dlq ...` (list, show, redrive the dead letters) against the
                                       local stack: KAFKA_BOOTSTRAP_SERVERS, when not set, is the local stack's

The local stack is the `run` profile's (`.data/run`); CLAIMSTREAM_PROFILE names another (the tests use `test`,
which TEST_STACK_PORT_BASE moves as it moves the tests' stack).
"""

import argparse
import os
import subprocess
import sys
from pathlib import Path

from claimstream_platform import cli as platform_cli

from claimstream_devtools.devstack.postgres import PostgresServer
from claimstream_devtools.devstack.stack import PROFILES, Profile, test_profile


def local_profile() -> Profile:
    name = os.environ.get("CLAIMSTREAM_PROFILE", "run")
    return test_profile() if name == "test" else PROFILES[name]  # the tests' own, moved by TEST_STACK_PORT_BASE


def use_the_local_stack() -> None:
    """Point the admin command at the local stack's database, unless the environment names another."""
    profile = local_profile()
    if not os.environ.get("DATABASE_URL"):
        server = PostgresServer(profile.data_dir / "postgres", profile.postgres_port)
        if not server.password_file.exists():
            raise SystemExit("claimstream-dev: DATABASE_URL is not set and no local stack was found: `make run`")
        os.environ["DATABASE_URL"] = server.url()


def use_the_local_broker() -> None:
    """Point the dead-letter command at the local stack's broker, unless the environment names another."""
    profile = local_profile()
    if not os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        if not (profile.data_dir / "kafka").is_dir():
            raise SystemExit(
                "claimstream-dev: KAFKA_BOOTSTRAP_SERVERS is not set and no local stack was found: `make run`"
            )
        os.environ["KAFKA_BOOTSTRAP_SERVERS"] = f"127.0.0.1:{profile.kafka_port}"


def identitys_settings() -> dict[str, str]:
    """Identity's command against the local stack: its database and schema, and the stack's keys (what `make run`
    gives the identity service alone), unless the environment names others."""
    use_the_local_stack()
    profile = local_profile()
    keys = profile.data_dir / "keys"
    env = {**os.environ, "SERVICE_NAME": "identity", "DATABASE_SCHEMA": "identity"}
    env.setdefault("KAFKA_BOOTSTRAP_SERVERS", f"127.0.0.1:{profile.kafka_port}")  # the command sends no events
    env.setdefault("AUTH_PUBLIC_KEY_FILE", str(keys / "public.pem"))
    env.setdefault("IDENTITY_SIGNING_KEY_FILE", str(keys / "signing.pem"))
    env.setdefault("IDENTITY_AUDIT_KEY_FILE", str(keys / "audit.key"))  # verify-audit's key ring
    return env


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="claimstream-dev", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("up", help="run Kafka, PostgreSQL and every service until Ctrl-C")
    schemas = commands.add_parser("schemas", help="write JSON Schemas and asyncapi.json")
    schemas.add_argument("folder", type=Path)
    admin = commands.add_parser("admin", help="`claimstream admin` against the local stack")
    admin.add_argument("arguments", nargs=argparse.REMAINDER)
    identity = commands.add_parser("identity", help="`python -m identity` against the local stack")
    identity.add_argument("arguments", nargs=argparse.REMAINDER)
    dlq = commands.add_parser("dlq", help="`claimstream dlq` (the dead letters) against the local stack")
    dlq.add_argument("arguments", nargs=argparse.REMAINDER)
    return parser


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    if args.command == "up":
        from claimstream_devtools.devstack.run import run_stack

        sys.exit(run_stack())
    elif args.command == "schemas":
        from claimstream_devtools.export import export

        for path in export(args.folder):
            print(path)
    elif args.command == "admin":
        use_the_local_stack()
        platform_cli.main(["admin", *args.arguments])
    elif args.command == "dlq":
        use_the_local_broker()
        platform_cli.main(["dlq", *args.arguments])
    elif args.command == "identity":
        command = [sys.executable, "-m", "identity", *args.arguments]
        sys.exit(subprocess.run(command, env=identitys_settings(), check=False).returncode)


if __name__ == "__main__":
    main()
