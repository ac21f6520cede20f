"""Black box: the demo's people (`clearinghouse_simulator.demo_people`, which `make run`, Compose and the cluster's
demo run): invited by the demo's administrator integration, the operator by identity's own command, each accepted
with a password made there and kept in a file its owner alone reads; each signs in with it; a second start keeps
them as they are."""

import asyncio
import subprocess
import sys
from pathlib import Path
from uuid import uuid4

import httpx
from claimstream_devtools.devstack.run import demo_tokens
from claimstream_devtools.running_services import Services
from claimstream_devtools.testing import StackUnderTest
from claimstream_platform.auth import Role
from test_demo_tokens import demo_tenant


def invited(services: Services, admin_token: Path, out: Path, domain: str) -> str:
    command = [sys.executable, "-m", "clearinghouse_simulator.demo_people", "--identity", services.identity]
    command += ["--admin-token-file", str(admin_token), "--out", str(out), "--operator", "--domain", domain]
    done = subprocess.run(command, env=services.identity_env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


async def test_the_demo_s_people_are_invited_accept_with_a_kept_password_and_sign_in(
    services: Services, stack: StackUnderTest, tmp_path: Path
) -> None:
    tenant = await demo_tenant(stack, f"Demo {uuid4()}")
    tokens = await asyncio.to_thread(demo_tokens, services.identity_env, tenant, tmp_path)
    domain, out = f"{uuid4().hex[:8]}.example", tmp_path / "console-people"
    printed = await asyncio.to_thread(invited, services, tokens[Role.TENANT_ADMIN], out, domain)
    people = dict(line.split() for line in out.read_text().splitlines())
    assert set(people) == {f"{name}@{domain}" for name in ("admin", "biller", "desk", "owner", "ops")}
    assert printed == out.read_text() and out.stat().st_mode & 0o777 == 0o600
    signing_in = {
        "/v1/sign-in": {"email": f"biller@{domain}", "password": people[f"biller@{domain}"]},
        "/v1/operators/sign-in": {"email": f"ops@{domain}", "password": people[f"ops@{domain}"]},
    }
    async with httpx.AsyncClient(base_url=services.identity, timeout=10) as identity:
        for path, person in signing_in.items():
            assert (await identity.post(path, json=person)).status_code == 200, path
    again = await asyncio.to_thread(invited, services, tokens[Role.TENANT_ADMIN], out, domain)  # a second start
    assert again == printed
