"""Identity, declared for the platform's service kit: the only wiring module (nothing else reads the environment).
`python -m identity migrate | api | worker | create-admin | create-operator | issue-integration | verify-audit`;
the worker runs the outbox relay and the consumer that appends every service's `AccessRecorded` to the access log.

Identity alone holds the signing key (IDENTITY_SIGNING_KEY_FILE); every service, this one included, verifies with
the public ring (AUTH_PUBLIC_KEY_FILE), which holds several keys during a rotation (docs/identity.md). It alone
holds the access log's key ring too (IDENTITY_AUDIT_KEY_FILE), which chains the log's rows."""

from pathlib import Path

from claimstream_platform.contracts.access import AccessRecorded
from claimstream_platform.kit import Service
from claimstream_platform.settings import ServiceSettings
from fastapi import FastAPI
from pydantic import FilePath

from identity import admin_api, api, audit_api, commands
from identity.consumers import subscriptions
from identity.credentials import Passwords, Signer
from identity.repository import IdentityWork


class IdentitySettings(ServiceSettings):
    identity_signing_key_file: FilePath  # the Ed25519 private key: this service's alone
    # The access log's key ring (identity.audit_keys): this service's alone, and of its processes only the worker
    # (which chains rows), `verify-audit` and `migrate` need it; the API does not.
    identity_audit_key_file: FilePath | None = None


def prepare(settings: IdentitySettings, app: FastAPI) -> None:
    app.state.signer = Signer.from_settings(settings)
    app.state.passwords = Passwords()


SERVICE = Service(
    name="identity",
    package="identity",
    port=8008,
    title="claimstream identity",
    settings=IdentitySettings,
    routers=[api.router, admin_api.router, audit_api.router],
    migrations=Path(__file__).parent / "migrations",
    prepare_app=prepare,
    subscriptions=subscriptions,
    consumes=[AccessRecorded],
    files=["identity_audit_key_file"],  # its worker chains the access log with it
    commands={
        "create-admin": ("a tenant's first administrator (--tenant ID --email E --name N)", commands.create_admin),
        "create-operator": ("an installation operator (--email E --name N)", commands.create_operator),
        "issue-integration": (
            "a token for a tenant's integration, made if new (--tenant ID --name N --role R ... [--days 30])",
            commands.issue_integration,
        ),
        "verify-audit": ("walk the access log's hash chains ([--tenant ID])", commands.verify_audit),
    },
    unit_of_work=IdentityWork,
)
