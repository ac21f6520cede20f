"""`claimstream admin`: tenants, through the real command against the real database. It mints no token: identity
alone holds the signing key (its own command issues an integration's: services/identity/tests).

Against the local stack with no settings, through `claimstream-dev admin`: shared/devtools/tests."""

import os
import subprocess
import sys
from uuid import UUID, uuid4


def claimstream(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "claimstream_platform.cli", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_tenant_is_created_and_no_token_is_minted_here(stack) -> None:
    env = {"DATABASE_URL": stack.database_url}
    created = claimstream("admin", "create-tenant", f"Acme Billing {uuid4()}", env=env)
    assert created.returncode == 0, created.stderr
    tenant = str(UUID(created.stdout.strip()))
    for minting in (
        ("issue-token", "--tenant", tenant, "--subject", "integration:athena", "--role", "ehr-integration"),
        ("issue-operator-token", "--subject", "operator:ana"),
    ):
        refused = claimstream("admin", *minting, env=env)
        assert refused.returncode != 0 and "invalid choice" in refused.stderr and refused.stdout == ""


def test_the_same_tenant_name_twice_is_refused(stack) -> None:
    env = {"DATABASE_URL": stack.database_url}
    name = f"Twice {uuid4()}"  # unique in a database the tests' runs share
    assert claimstream("admin", "create-tenant", name, env=env).returncode == 0
    again = claimstream("admin", "create-tenant", name, env=env)
    assert again.returncode != 0 and "exists already" in again.stderr


def test_a_tenant_with_its_id_given_is_made_once_and_found_when_run_again(stack) -> None:
    """A deployment's Job (the Kubernetes demo's) runs it at every apply: the same id and name, the same tenant."""
    env = {"DATABASE_URL": stack.database_url}
    name, tenant = f"Fixed {uuid4()}", str(uuid4())
    for _ in range(2):
        made = claimstream("admin", "create-tenant", name, "--id", tenant, env=env)
        assert made.returncode == 0 and made.stdout.strip() == tenant, made.stderr
    renamed = claimstream("admin", "create-tenant", f"Other {uuid4()}", "--id", tenant, env=env)
    assert renamed.returncode != 0 and "another name" in renamed.stderr
    taken = claimstream("admin", "create-tenant", name, "--id", str(uuid4()), env=env)
    assert taken.returncode != 0 and "exists already" in taken.stderr
