"""The demo's people, who sign in to the console: the tenant's administrator, a biller, a front-desk person and an
owner (read-only), invited by the demo's administrator integration as any tenant's administrator invites
(`POST /v1/users`), and, with --operator, an installation operator, whom no tenant invites: identity's own command
does (`python -m identity create-operator`, run here in a process given identity's settings: `make run`'s, or a
container of identity's). Each accepts with a password made here (`POST /v1/invitations/accept`), written with the
email in the file given (its owner's alone) and printed once. Nothing is defaulted: another installation's demo has
other passwords. Someone invited already (a second start) is left as they are; any other refusal, or no answer,
stops it with the reason (exit 1), before the file is written: run again, it invites whoever is left.

    python -m clearinghouse_simulator.demo_people --identity URL --admin-token-file F --out FILE [--operator]
                                                  [--domain D]
"""

import argparse
import asyncio
import os
import secrets
import subprocess
import sys
from pathlib import Path

import httpx

DOMAIN = "demo-billing.example"  # each person's email is <name>@ it
# (name, full name, role): invited by the demo's administrator integration.
PEOPLE = (
    ("admin", "Demo administrator", "tenant-admin"),
    ("biller", "Demo biller", "biller"),
    ("desk", "Demo front desk", "front-desk"),
    ("owner", "Demo owner", "read-only"),
)
OPERATOR = ("ops", "Demo operator")


def operator_invitation(domain: str) -> str | None:
    """The code identity's command prints for the demo's operator (None: refused, say the email is taken)."""
    email, name = f"{OPERATOR[0]}@{domain}", OPERATOR[1]
    command = [sys.executable, "-m", "identity", "create-operator", "--email", email, "--name", name]
    made = subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)
    lines = (made.stdout + made.stderr).splitlines()
    return next((line.split()[-1] for line in lines if line.startswith("invitation")), None)


async def invite(identity: httpx.AsyncClient, admin_token: str, domain: str) -> list[tuple[str, str]]:
    """Each person's email and invitation code; none for one invited before."""
    headers = {"Authorization": f"Bearer {admin_token}"}
    found = []
    for local, name, role in PEOPLE:
        email = f"{local}@{domain}"
        person = {"email": email, "name": name, "roles": [role]}
        invited = await identity.post("/v1/users", json=person, headers=headers)
        if invited.status_code == 201:
            found.append((email, invited.json()["invitation_code"]))
        elif not _invited_before(invited):
            raise SystemExit(f"demo_people: {email} not invited: {invited.status_code} {invited.text[:300]}")
    return found


def _invited_before(answer: httpx.Response) -> bool:
    """identity's refusal of an email it has an account for (a second start): the one refusal taken as done."""
    return answer.status_code == 422 and "exists already" in answer.text


async def accept(identity: httpx.AsyncClient, invitations: list[tuple[str, str]]) -> list[str]:
    """`email password` for each invitation accepted with a password made here."""
    lines = []
    for email, code in invitations:
        password = secrets.token_urlsafe(15)  # 20 characters: over identity's 12
        accepted = await identity.post("/v1/invitations/accept", json={"code": code, "password": password})
        if accepted.status_code != 200:
            raise SystemExit(f"demo_people: {email} did not accept: {accepted.status_code} {accepted.text[:300]}")
        lines.append(f"{email} {password}")
    return lines


async def people(identity_url: str, admin_token: str, domain: str, *, operator: bool) -> list[str]:
    async with httpx.AsyncClient(base_url=identity_url, timeout=30) as identity:
        invitations = await invite(identity, admin_token, domain)
        code = operator_invitation(domain) if operator else None
        return await accept(identity, invitations + ([(f"{OPERATOR[0]}@{domain}", code)] if code else []))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m clearinghouse_simulator.demo_people", description=__doc__)
    parser.add_argument("--identity", required=True, help="identity's API")
    parser.add_argument("--admin-token-file", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True, help="where the people's emails and passwords go")
    parser.add_argument("--operator", action="store_true", help="the installation's operator too")
    parser.add_argument("--domain", default=DOMAIN, help="of the people's emails")
    args = parser.parse_args(argv)
    if args.out.exists():  # made at an earlier start: its people are there already
        sys.stdout.write(args.out.read_text())
        return
    token = args.admin_token_file.read_text().strip()
    lines = asyncio.run(people(args.identity, token, args.domain, operator=args.operator))
    with os.fdopen(os.open(args.out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as made:
        made.write("".join(f"{line}\n" for line in lines))
    sys.stdout.write(args.out.read_text())


if __name__ == "__main__":
    main()
