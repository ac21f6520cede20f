"""What one host's broker and database need to be reached as a cluster's are (docker-compose.yml; docs/deploy.md,
"Transport"): the host's own certificate authority and the servers' certificate, and a Kafka login (SCRAM-SHA-512)
for each service and for `setup`. Made once, before the servers start, by `single_host --files`, and kept:
- shared/ca.crt: the authority every client checks the servers with (`verify-full`);
- kafka/server.pem (its key, then the certificate chain: Kafka's PEM key store) and kafka/logins (a `name password`
  line each), for the broker alone; readable by its own user, as its folder is mounted in its container alone;
- postgres/server.crt and server.key, for the database alone (its container hands the key to its own user), and
  its pg_hba.conf: over TCP, TLS alone;
- <schema>/keys/kafka-password, the service's own login, and keys/kafka-setup-password, setup's.
"""

import os
import secrets
from pathlib import Path

from claimstream_platform.authority import make_server_tls

# In the servers' certificate: the names the containers reach them by, and the loopback the host reaches them on
SERVERS = ("kafka", "postgres", "127.0.0.1")
SETUP_LOGIN = "claimstream-setup"
# Who may connect, and how: on the socket, the image's own start (its first user); over TCP, TLS and a password alone.
HBA = """local all all trust
hostssl all all all scram-sha-256
"""


def _write_readable(path: Path, data: bytes) -> None:
    """Whole or not at all, readable by the server's own user (another uid than the one writing it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    with os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644), "wb") as made:
        made.write(data)
    partial.chmod(0o644)  # whatever the umask
    partial.replace(path)


def make_tls(folder: Path) -> None:
    """The authority and the servers' certificate, made once (in keys/tls, for this command alone), and each
    server's and the clients' copies."""
    authority = folder / "keys" / "tls"
    if not (authority / "ca.crt").exists():
        make_server_tls(authority, *SERVERS)
    certificate, key = (authority / "server.crt").read_bytes(), (authority / "server.key").read_bytes()
    _write_readable(folder / "shared" / "ca.crt", (authority / "ca.crt").read_bytes())
    _write_readable(folder / "kafka" / "server.pem", key + certificate)
    _write_readable(folder / "postgres" / "server.crt", certificate)
    _write_readable(folder / "postgres" / "server.key", key)
    _write_readable(folder / "postgres" / "pg_hba.conf", HBA.encode())


def _password(path: Path) -> str:
    """The login's password: made at the first run, read back after."""
    if path.exists():
        return path.read_text().strip()
    password = secrets.token_hex(24)
    path.parent.mkdir(parents=True, exist_ok=True)
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as made:
        made.write(password + "\n")
    return password


def make_logins(folder: Path, schemas: list[str]) -> None:
    """A Kafka login per service (its schema's name) and setup's; the broker's list of them all."""
    logins = {schema: _password(folder / schema / "keys" / "kafka-password") for schema in schemas}
    logins[SETUP_LOGIN] = _password(folder / "keys" / "kafka-setup-password")
    _write_readable(folder / "kafka" / "logins", "".join(f"{n} {p}\n" for n, p in sorted(logins.items())).encode())
