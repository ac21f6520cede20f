"""`claimstream admin`: tenants and tokens, through the real command against the real database.

Against the local stack with no settings, through `claimstream-dev admin`: shared/devtools/tests."""

import os
import subprocess
import sys
from unittest.mock import ANY
from uuid import UUID

from claimstream_platform.auth import Kind, Operator, Principal, TokenVerifier, generate_keypair


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

    scope = ("--tenant", str(tenant), "--practice", practice, "--subject", "integration:athena")
    issued = claimstream("admin", "issue-token", *scope, "--role", "ehr-integration", env=env)
    assert issued.returncode == 0, issued.stderr
    principal = TokenVerifier.from_file(tmp_path / "public.pem").verify(issued.stdout.strip())
    assert isinstance(principal, Principal) and principal.tenant_id == tenant
    assert principal.practice_ids == {UUID(practice)}
    assert (principal.subject, principal.roles, principal.kind) == (
        "integration:athena",
        {"ehr-integration"},
        Kind.INTEGRATION,
    )


def test_roles_kinds_and_lifetimes_are_the_tenants_and_capped_and_operators_have_their_own_command(
    stack, tmp_path
) -> None:
    generate_keypair(tmp_path / "signing.pem", tmp_path / "public.pem")
    env = {"DATABASE_URL": stack.database_url, "CLAIMSTREAM_SIGNING_KEY_FILE": str(tmp_path / "signing.pem")}
    tenant = claimstream("admin", "create-tenant", f"Roles {tmp_path.name}", env=env).stdout.strip()
    base = ("admin", "issue-token", "--tenant", tenant, "--subject", "person:rosa")
    refused = claimstream(*base, "--role", "operator", env=env)
    assert refused.returncode != 0 and "invalid choice" in refused.stderr  # a tenant token never carries it
    too_long = claimstream(*base, "--role", "biller", "--kind", "person", "--lifetime", "2h", env=env)
    assert too_long.returncode != 0 and "at most 1:00:00" in too_long.stderr and too_long.stdout == ""
    person = claimstream(*base, "--role", "biller", "--role", "front-desk", "--kind", "person", env=env)
    verifier = TokenVerifier.from_file(tmp_path / "public.pem")
    principal = verifier.verify(person.stdout.strip())
    assert isinstance(principal, Principal) and principal.roles == {"biller", "front-desk"}
    assert principal.kind is Kind.PERSON
    operator = claimstream("admin", "issue-operator-token", "--subject", "operator:ana", env=env)
    assert operator.returncode == 0, operator.stderr
    assert verifier.verify(operator.stdout.strip()) == Operator(subject="operator:ana", token_id=ANY, issued_at=ANY)


def test_a_token_for_an_unknown_tenant_is_refused(stack, tmp_path) -> None:
    generate_keypair(tmp_path / "signing.pem", tmp_path / "public.pem")
    env = {"DATABASE_URL": stack.database_url, "CLAIMSTREAM_SIGNING_KEY_FILE": str(tmp_path / "signing.pem")}
    unknown = "0b5f0f8e-2f7c-4d0e-9a43-0a5c3c7b1a11"
    refused = claimstream("admin", "issue-token", "--tenant", unknown, "--subject", "x", "--role", "biller", env=env)
    assert refused.returncode != 0
    assert "no tenant" in refused.stderr
    assert refused.stdout == ""


def test_the_same_tenant_name_twice_is_refused(stack, tmp_path) -> None:
    env = {"DATABASE_URL": stack.database_url}
    assert claimstream("admin", "create-tenant", f"Twice {tmp_path.name}", env=env).returncode == 0
    again = claimstream("admin", "create-tenant", f"Twice {tmp_path.name}", env=env)
    assert again.returncode != 0 and "exists already" in again.stderr
