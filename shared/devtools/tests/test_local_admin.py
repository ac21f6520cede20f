"""`claimstream-dev admin`: the platform's admin command against the local stack, with no settings."""

import os
import secrets
import subprocess
import sys
from uuid import UUID, uuid4

from claimstream_devtools.devstack import stack as local_stack
from claimstream_platform.auth import Principal, TokenVerifier, generate_keypair


def as_a_new_user(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """The command with exactly `env`: nothing inherited that a new user would not have set."""
    command = [sys.executable, "-m", "claimstream_devtools.cli", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)


def test_against_the_local_stack_no_settings_are_needed(stack, tmp_path) -> None:
    """As a new user runs it beside `make run`: no DATABASE_URL, no key file. The tests' stack is the `test`
    profile, which CLAIMSTREAM_PROFILE names (the default is `run`)."""
    if stack.postgres is None:
        raise AssertionError("this test needs the embedded database the test stack starts")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", *IDENTITYS)}
    env["CLAIMSTREAM_PROFILE"] = "test"
    created = as_a_new_user("admin", "create-tenant", f"Local {tmp_path.name}", env=env)
    assert created.returncode == 0, created.stderr
    assert UUID(created.stdout.strip())


IDENTITYS = ("SERVICE_NAME", "DATABASE_SCHEMA", "AUTH_PUBLIC_KEY_FILE", "IDENTITY_SIGNING_KEY_FILE")


def test_identitys_commands_run_against_the_local_stack_with_its_keys(stack) -> None:
    """`claimstream-dev identity ...` is identity's own command with identity's settings from the local stack: its
    schema, the stack's keys (and its database, unless DATABASE_URL names another, as the tests' may)."""
    env = {k: v for k, v in os.environ.items() if k not in IDENTITYS}
    if stack.postgres is not None:
        env.pop("DATABASE_URL", None)
    env["CLAIMSTREAM_PROFILE"] = "test"
    keys = local_stack.test_profile().data_dir / "keys"
    if not (keys / "signing.pem").exists():
        keys.mkdir(parents=True, exist_ok=True)
        generate_keypair(keys / "signing.pem", keys / "public.pem")
    if not (keys / "audit.key").exists():  # as `make run` makes it: the access log's key ring of one
        (keys / "audit.key").write_text(secrets.token_hex(32) + "\n")
    created = as_a_new_user("admin", "create-tenant", f"Identity {uuid4()}", env=env)
    assert created.returncode == 0, created.stderr
    tenant = created.stdout.strip()
    migrated = as_a_new_user("identity", "migrate", env=env)
    assert migrated.returncode == 0, migrated.stderr
    feed = ("identity", "issue-integration", "--tenant", tenant, "--name", "EHR feed", "--role", "ehr-integration")
    issued = as_a_new_user(*feed, env=env)
    assert issued.returncode == 0, issued.stderr
    principal = TokenVerifier.from_file(keys / "public.pem").verify(issued.stdout.strip())
    assert isinstance(principal, Principal) and principal.tenant_id == UUID(tenant)
    assert principal.subject.startswith("integration:") and principal.roles == {"ehr-integration"}
    gone = as_a_new_user("admin", "issue-token", "--tenant", tenant, "--subject", "s", "--role", "biller", env=env)
    assert gone.returncode != 0 and "invalid choice" in gone.stderr  # the platform's command mints no token


def test_the_platforms_command_alone_asks_for_its_settings_and_names_the_local_way() -> None:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    command = [sys.executable, "-m", "claimstream_platform.cli", "admin", "create-tenant", "Nobody"]
    refused = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert refused.returncode != 0 and refused.stdout == ""
    assert "DATABASE_URL is not set" in refused.stderr and "claimstream-dev admin" in refused.stderr


def test_the_dead_letter_command_runs_against_the_local_broker(stack) -> None:
    """`claimstream-dev dlq ...` is `claimstream dlq ...` with the local stack's broker (unless KAFKA_BOOTSTRAP_SERVERS
    names another, as the tests' may)."""
    env = dict(os.environ)
    if stack.broker is not None:
        env.pop("KAFKA_BOOTSTRAP_SERVERS", None)
    env["CLAIMSTREAM_PROFILE"] = "test"
    topic = f"nothing-here-{uuid4().hex[:8]}.v1"
    listed = as_a_new_user("dlq", "list", "--topic", topic, env=env)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.strip() == f"no dead letters on {topic}.dlq"


def test_the_dead_letter_command_alone_asks_for_the_broker_and_names_the_local_way() -> None:
    env = {k: v for k, v in os.environ.items() if k != "KAFKA_BOOTSTRAP_SERVERS"}
    command = [sys.executable, "-m", "claimstream_platform.cli", "dlq", "list"]
    refused = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert refused.returncode != 0 and refused.stdout == ""
    assert "KAFKA_BOOTSTRAP_SERVERS is not set" in refused.stderr and "claimstream-dev dlq" in refused.stderr
