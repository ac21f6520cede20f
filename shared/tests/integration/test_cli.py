"""`claimstream admin`: tenants and tokens, through the real command against the real database.

Against the local stack with no settings, through `claimstream-dev admin`: shared/devtools/tests."""

import os
import subprocess
import sys
from uuid import UUID

from claimstream_platform.auth import TokenVerifier, generate_keypair


def claimstream(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "claimstream_platform.cli", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_tenant_is_created_and_a_practice_scoped_token_issued(stack, tmp_path) -> None:
    generate_keypair(tmp_path / "signing.pem", tmp_path / "public.pem")
    env = {"DATABASE_URL": stack.database_url, "CLAIMSTREAM_SIGNING_KEY_FILE": str(tmp_path / "signing.pem")}
    created = claimstream("admin", "create-tenant", f"Acme Billing {tmp_path.name}", env=env)
    assert created.returncode == 0, created.stderr
    tenant = UUID(created.stdout.strip())
    practice = "0b5f0f8e-2f7c-4d0e-9a43-0a5c3c7b1a11"

    issued = claimstream("admin", "issue-token", "--tenant", str(tenant), "--practice", practice, env=env)
    assert issued.returncode == 0, issued.stderr
    principal = TokenVerifier.from_file(tmp_path / "public.pem").verify(issued.stdout.strip())
    assert principal.tenant_id == tenant
    assert principal.practice_ids == {UUID(practice)}


def test_a_token_for_an_unknown_tenant_is_refused(stack, tmp_path) -> None:
    generate_keypair(tmp_path / "signing.pem", tmp_path / "public.pem")
    env = {"DATABASE_URL": stack.database_url, "CLAIMSTREAM_SIGNING_KEY_FILE": str(tmp_path / "signing.pem")}
    refused = claimstream("admin", "issue-token", "--tenant", "0b5f0f8e-2f7c-4d0e-9a43-0a5c3c7b1a11", env=env)
    assert refused.returncode != 0
    assert "no tenant" in refused.stderr
    assert refused.stdout == ""


def test_the_same_tenant_name_twice_is_refused(stack, tmp_path) -> None:
    env = {"DATABASE_URL": stack.database_url}
    assert claimstream("admin", "create-tenant", f"Twice {tmp_path.name}", env=env).returncode == 0
    again = claimstream("admin", "create-tenant", f"Twice {tmp_path.name}", env=env)
    assert again.returncode != 0 and "exists already" in again.stderr
