"""A local stack's payment secrets: the key patient billing signs statements' payment links with, and the secret
key and webhook secret it shares with the payment processor (the simulator plays it). Each made once, at random,
in the given folder (readable by the owner alone); the environment names them, and where each side reaches the
other."""

import secrets
from pathlib import Path

WEBHOOK_PATH = "/v1/processor/webhooks"
FILES = {
    "STATEMENT_LINK_KEY_FILE": "statement-link.key",
    "PROCESSOR_API_KEY_FILE": "processor-api.key",
    "PROCESSOR_WEBHOOK_SECRET_FILE": "processor-webhook.secret",
}


def payment_env(folder: Path, processor_url: str, patient_billing_url: str | None) -> dict[str, str]:
    folder.mkdir(parents=True, exist_ok=True)
    for name in FILES.values():
        path = folder / name
        if not path.exists():
            path.write_text(secrets.token_hex(32))
            path.chmod(0o600)
    env = {variable: str(folder / name) for variable, name in FILES.items()} | {"PROCESSOR_URL": processor_url}
    if patient_billing_url:
        env["PROCESSOR_WEBHOOK_URL"] = f"{patient_billing_url}{WEBHOOK_PATH}"
    return env
