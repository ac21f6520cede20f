"""What an installation on one host (docker-compose.yml) makes before any service starts, run first at every start
as the database's administrator; it keeps what it made before, so a second run changes nothing a running service
relies on (docs/deploy.md, "Docker Compose").

    python -m claimstream_platform.single_host FOLDER SCHEMA [SCHEMA ...] --files    before the servers start
    python -m claimstream_platform.single_host FOLDER SCHEMA [SCHEMA ...] [--demo]   once they answer

the second with DATABASE_URL an administrator's and KAFKA_BOOTSTRAP_SERVERS set (and the Kafka login's settings,
`setup`'s). The first makes the files alone (the second makes any that are missing); the servers' TLS and the Kafka
logins: single_host_transport.py. In FOLDER:
- keys/: the tokens' signing key and its public half (identity signs, every service verifies), the access log's
  key, the console's session key, the statements' payment-link key, the payment processor's API key and webhook
  secret, and the simulated clearinghouse's signing key and public half; each made once, for this command alone;
- shared/: what every process may read: the public keys (and, with --demo, the demo tenant's id and claimstream's
  account at the simulated clearinghouse: `tenant`, `clearinghouse-token`);
- <schema>/: what that service's processes alone read: in keys/, its private keys (`HOLDERS`); in process/ and
  migrate/, its roles' URLs, one file per setting (read through SECRETS_DIR: settings.py), the API's and worker's
  (app and across roles) apart from the migration's (owner and app), each mounted in its own containers alone;
  passwords made at the first run and kept after.
- workload/, with --demo: empty, for the demo's tokens (identity issues them once it is migrated).
It migrates the platform's own schemas and creates every topic and its dead-letter topic.
"""

import argparse
import asyncio
import os
import secrets
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from uuid import UUID

from cryptography.fernet import Fernet
from sqlalchemy.engine import make_url

from claimstream_platform import auth, tenants
from claimstream_platform.contracts import registered_events
from claimstream_platform.database_roles import ensure_roles, owner_role, platform_schemas, users
from claimstream_platform.engines import create_engine
from claimstream_platform.messaging.kafka import ensure_topics
from claimstream_platform.single_host_transport import make_logins, make_tls
from claimstream_platform.transport import kafka_transport_from_environment, use_kafka_transport

DEMO_TENANT = "Demo Billing Company"
CLEARINGHOUSE_ACCOUNT = UUID("00000000-0000-4000-8000-00000000c1ea")  # claimstream's submitter id at the simulator
DEMO_TOKEN_LIFETIME = timedelta(days=30)  # integration tokens: a person's would last an hour
KEYPAIRS = (("signing.pem", "public.pem"), ("simulator-signing.pem", "simulator-public.pem"))


def _random_hex() -> str:
    return secrets.token_hex(32)


# Each secret but the key pairs: its file in keys/, and how it is made.
SECRET_FILES: dict[str, Callable[[], str]] = {
    "audit.key": lambda: _random_hex() + "\n",  # 32 random bytes in hex, a ring of one (identity.audit_keys)
    "console-session.key": lambda: Fernet.generate_key().decode(),
    "statement-link.key": _random_hex,
    "processor-api.key": _random_hex,
    "processor-webhook.secret": _random_hex,
}
# Who holds each key: every process the public halves (shared/), the private ones their holders alone (<schema>/;
# the processor's keys are a secret the payment processor, played by the simulator, shares with patient billing).
PUBLIC_KEYS = ("public.pem", "simulator-public.pem")
HOLDERS = {
    "signing.pem": ("identity",),
    "audit.key": ("identity",),
    "console-session.key": ("console",),
    "statement-link.key": ("patient_billing",),
    "processor-api.key": ("patient_billing", "clearinghouse_simulator"),
    "processor-webhook.secret": ("patient_billing", "clearinghouse_simulator"),
}
# Where each role's URL goes: (role of the schema, the setting it fills) per process kind.
ROLE_FILES = {
    "process": (("app", "database_url"), ("across", "across_tenants_database_url")),
    "migrate": (("app", "database_url"), ("owner", "migration_database_url")),
}


def write_secret(path: Path, text: str) -> None:
    """A file its owner alone may read, from its first byte, in whole or not at all (a reader never sees it half
    written, and a run that died midway leaves the file before it)."""
    partial = path.with_name(f".{path.name}.partial")
    with os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as made:
        made.write(text)
    partial.replace(path)


def make_keys(folder: Path) -> Path:
    """Every key and secret the services read from files, each made once (kept at later runs)."""
    folder.mkdir(parents=True, exist_ok=True)
    for private, public in KEYPAIRS:
        if not ((folder / private).exists() and (folder / public).exists()):
            auth.generate_keypair(folder / private, folder / public)
    for name, make in SECRET_FILES.items():
        if not (folder / name).exists():
            write_secret(folder / name, make())
    return folder


def hand_out(keys: Path, folder: Path, schemas: list[str]) -> None:
    """Each key copied to whom may read it: shared/ for every process, <schema>/keys/ for its holders alone (a host
    mounts each folder only in the containers of its own: docker-compose.yml)."""
    (folder / "shared").mkdir(exist_ok=True)
    for name in PUBLIC_KEYS:
        (folder / "shared" / name).write_bytes((keys / name).read_bytes())
    for name, holders in HOLDERS.items():
        for schema in set(holders) & set(schemas):
            (folder / schema / "keys").mkdir(parents=True, exist_ok=True)
            write_secret(folder / schema / "keys" / name, (keys / name).read_text())


def _role_names(schema: str) -> dict[str, str]:
    app, across = users(schema)
    return {"owner": owner_role(schema), "app": app, "across": across}


def _kept_passwords(folder: Path, schema: str) -> dict[str, str]:
    """The passwords an earlier run gave the schema's roles, by role name, read back from their URLs' files."""
    names, kept = _role_names(schema), {}
    for kind, settings in ROLE_FILES.items():
        for role, setting in settings:
            path = folder / schema / kind / setting
            password = make_url(path.read_text().strip()).password if path.exists() else None
            if password:
                kept[names[role]] = password
    return kept


async def make_roles(admin_url: str, folder: Path, schema: str) -> None:
    """The schema's roles (their passwords kept from an earlier run), and each process kind's files of URLs."""
    roles = await ensure_roles(admin_url, schema, schema, kept=_kept_passwords(folder, schema))
    urls = {"owner": roles.owner_url, "app": roles.app_url, "across": roles.across_url}
    for kind, settings in ROLE_FILES.items():
        (folder / schema / kind).mkdir(parents=True, exist_ok=True)
        for role, setting in settings:
            write_secret(folder / schema / kind / setting, urls[role])


async def demo_tenant(admin_url: str) -> UUID:
    """The demo's tenant, made at the first run and found after."""
    engine = create_engine(admin_url, schema=tenants.SCHEMA, connections=2)
    try:
        return await tenants.find_tenant(engine, name=DEMO_TENANT) or await tenants.create_tenant(engine, DEMO_TENANT)
    finally:
        await engine.dispose()


def clearinghouse_token(keys: Path) -> str:
    """claimstream's account at the simulated clearinghouse, issued by the clearinghouse: claim submission sends
    with it, and the demo's workload enrolls the payers' members in that account's roster."""
    clearinghouse = auth.TokenIssuer.from_file(
        keys / "simulator-signing.pem", issuer=auth.CLEARINGHOUSE_ISSUER, audience=auth.CLEARINGHOUSE_AUDIENCE
    )
    roles = [auth.CLEARINGHOUSE_ACCOUNT]
    return clearinghouse.issue(tenant_id=CLEARINGHOUSE_ACCOUNT, roles=roles, lifetime=DEMO_TOKEN_LIFETIME)


def make_files(folder: Path, schemas: list[str]) -> Path:
    """Every file, before the servers start: the keys, each handed to its holders, the servers' TLS and the Kafka
    logins (single_host_transport.py)."""
    keys = make_keys(folder / "keys")
    hand_out(keys, folder, schemas)
    make_tls(folder)
    make_logins(folder, schemas)
    return keys


async def prepare(admin_url: str, bootstrap_servers: str, folder: Path, schemas: list[str], *, demo: bool) -> None:
    keys = make_files(folder, schemas)
    await asyncio.to_thread(platform_schemas, admin_url)
    for schema in schemas:
        await make_roles(admin_url, folder, schema)
    await ensure_topics(bootstrap_servers, sorted({event.topic for event in registered_events().values()}))
    if demo:
        (folder / "workload").mkdir(exist_ok=True)  # where the demo's tokens go, once identity issues them
        (folder / "shared" / "tenant").write_text(f"{await demo_tenant(admin_url)}\n")
        write_secret(folder / "shared" / "clearinghouse-token", clearinghouse_token(keys))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m claimstream_platform.single_host",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("folder", type=Path, help="where the keys and the roles' URLs go")
    parser.add_argument("schemas", nargs="+", help="each service's schema (its package name)")
    parser.add_argument("--demo", action="store_true", help="the demo's tenant and clearinghouse account too")
    parser.add_argument("--files", action="store_true", help="the files alone, before the servers start")
    args = parser.parse_args(argv)
    if args.files:
        make_files(args.folder, args.schemas)
        sys.stdout.write(f"single_host: the keys, the servers' TLS and {len(args.schemas)} services' logins made\n")
        return
    admin_url, bootstrap = os.environ.get("DATABASE_URL"), os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if not admin_url or not bootstrap:
        raise SystemExit("single_host: set DATABASE_URL (an administrator's) and KAFKA_BOOTSTRAP_SERVERS")
    use_kafka_transport(kafka_transport_from_environment())
    asyncio.run(prepare(admin_url, bootstrap, args.folder, args.schemas, demo=args.demo))
    sys.stdout.write(f"single_host: the keys, {len(args.schemas)} services' roles and the topics are ready\n")


if __name__ == "__main__":
    main()
