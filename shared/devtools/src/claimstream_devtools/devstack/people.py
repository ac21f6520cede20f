"""The demo's people, who sign in to the console: the tenant's administrator, a biller, a front-desk person and
an owner (read-only), and an installation operator. Each is invited as any person is (identity's `create-admin`
and `create-operator` commands, `POST /v1/users` as the demo's administrator integration) and accepts with a
password generated here at the first start: printed once, and kept in the profile (`console-people`, 0600).
Nothing is defaulted: another installation's demo has other passwords."""

import os
import secrets
import subprocess
import sys
from pathlib import Path
from uuid import UUID

import httpx

DOMAIN = "demo-billing.example"
ADMIN = f"admin@{DOMAIN}"
# (email, name, role): invited by the demo's administrator.
STAFF = (
    (f"biller@{DOMAIN}", "Demo biller", "biller"),
    (f"desk@{DOMAIN}", "Demo front desk", "front-desk"),
    (f"owner@{DOMAIN}", "Demo owner", "read-only"),
)
OPERATOR = f"ops@{DOMAIN}"


def demo_people(
    identity_env: dict[str, str], identity_url: str, admin_token: str, tenant_id: UUID, folder: Path
) -> Path:
    """The people's emails and passwords, made at the first start of the profile (kept after)."""
    kept = folder / "console-people"
    if kept.exists():
        return kept
    lines = []
    with httpx.Client(base_url=identity_url, timeout=30) as identity:
        for email, code in _invitations(identity_env, identity, admin_token, tenant_id):
            password = secrets.token_urlsafe(15)  # 20 characters: over identity's 12
            accepted = identity.post("/v1/invitations/accept", json={"code": code, "password": password})
            if accepted.status_code == 200:
                lines.append(f"{email} {password}")
    with os.fdopen(os.open(kept, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as made:  # its owner's alone
        made.write("\n".join(lines) + "\n")
    return kept


def _invitations(
    identity_env: dict[str, str], identity: httpx.Client, admin_token: str, tenant_id: UUID
) -> list[tuple[str, str]]:
    found = []
    admin = _command(
        identity_env, "create-admin", "--tenant", str(tenant_id), "--email", ADMIN, "--name", "Demo administrator"
    )
    operator = _command(identity_env, "create-operator", "--email", OPERATOR, "--name", "Demo operator")
    found += [(email, code) for email, code in ((ADMIN, admin), (OPERATOR, operator)) if code]
    headers = {"Authorization": f"Bearer {admin_token}"}
    for email, name, role in STAFF:
        invited = identity.post("/v1/users", json={"email": email, "name": name, "roles": [role]}, headers=headers)
        if invited.status_code == 201:
            found.append((email, invited.json()["invitation_code"]))
    return found


def _command(identity_env: dict[str, str], *arguments: str) -> str | None:
    """An invitation's code from identity's command (None: refused, say the email is taken already)."""
    made = subprocess.run(
        [sys.executable, "-m", "identity", *arguments], env=identity_env, capture_output=True, text=True, check=False
    )
    lines = (made.stdout + made.stderr).splitlines()
    return next((line.split()[-1] for line in lines if line.startswith("invitation")), None)
