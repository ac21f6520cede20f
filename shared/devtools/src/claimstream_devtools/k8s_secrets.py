"""The Secrets the dev overlay names and no operator makes, made fresh for a demo cluster (docs/deploy.md, "The
demo on a cluster"):

    .venv/bin/python -m claimstream_devtools.k8s_secrets | kubectl apply -f -

The namespace, then each service's three database roles' passwords (`<service>-db-<role>`, which CloudNativePG
sets on its managed roles), the tokens' public key (`claimstream-auth`), each service's own files (`<service>-files`:
identity's signing and audit keys, the console's session key, patient billing's keys, the clearinghouse account's
token, the simulator's keys) and the demo workload's (`claimstream-demo`). Every key is made here, at random, by
`single_host` as for `docker compose`, and printed once: nothing is kept. Running it again replaces them all (every
token issued before stops verifying; restart the pods). A production cluster's Secrets come from its vault."""

import secrets
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml
from claimstream_platform import single_host
from claimstream_platform.kit import Service, discover

from claimstream_devtools.devstack.stack import repository_root
from claimstream_devtools.k8s_components import ROLES
from claimstream_devtools.k8s_demo import DEMO_SECRET
from claimstream_devtools.k8s_objects import own_files

NAMESPACE = "claimstream"
# A service's file setting, and the key single_host makes for it.
FROM_KEYS = {
    "identity_signing_key_file": "signing.pem",
    "identity_audit_key_file": "audit.key",
    "console_session_key_file": "console-session.key",
    "statement_link_key_file": "statement-link.key",
    "processor_api_key_file": "processor-api.key",
    "processor_webhook_secret_file": "processor-webhook.secret",
    "simulator_public_key_file": "simulator-public.pem",
}


def _secret(name: str, data: dict[str, str], kind: str = "Opaque") -> dict[str, Any]:
    metadata = {"name": name, "namespace": NAMESPACE}
    return {"apiVersion": "v1", "kind": "Secret", "metadata": metadata, "type": kind, "stringData": data}


def _files(service: Service[Any], keys: Path, token: str) -> dict[str, str]:
    """Each file the service's pods mount from `<service>-files`, by its key (the setting without `_file`)."""
    found = {}
    for setting in own_files(service):
        if setting == "clearinghouse_token_file":
            found[setting.removesuffix("_file")] = token
        elif setting in FROM_KEYS:
            found[setting.removesuffix("_file")] = (keys / FROM_KEYS[setting]).read_text()
        else:
            raise ValueError(f"{service.name} needs {setting}: say here how the demo makes it")
    return found


def demo_secrets(found: list[Service[Any]], keys: Path) -> list[dict[str, Any]]:
    token = single_host.clearinghouse_token(keys)
    made = [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE}}]
    for service in found:
        for role in ROLES:
            login = {"username": f"{service.package}_{role}", "password": secrets.token_hex(24)}
            made.append(_secret(f"{service.name}-db-{role}", login, "kubernetes.io/basic-auth"))
        files = _files(service, keys, token)
        if files:
            made.append(_secret(f"{service.name}-files", files))
    made.append(_secret("claimstream-auth", {"public.pem": (keys / "public.pem").read_text()}))
    made.append(_secret(DEMO_SECRET, {"clearinghouse_token": token}))
    return made


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        keys = single_host.make_keys(Path(folder))
        made = demo_secrets(discover(repository_root() / "services"), keys)
    sys.stdout.write(yaml.safe_dump_all(made, sort_keys=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
