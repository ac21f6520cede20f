"""The access log's keys: secrets identity alone holds, so that only identity can write a row the chain accepts.

A ring file (`IDENTITY_AUDIT_KEY_FILE`) holds one key per line, 64 hex digits (32 random bytes); the first line
chains new rows, the lines after it are earlier keys, kept so that the rows chained with them still verify. Each
key is known by an id derived from it (so a key and its id cannot disagree), recorded on every row it chained.
"""

import hashlib
import secrets
from dataclasses import dataclass, field
from pathlib import Path

KEY_BYTES = 32


@dataclass(frozen=True)
class AuditKey:
    secret: bytes = field(repr=False)

    @property
    def id(self) -> str:
        """16 hex digits of a sha256 of the key: names it on the rows, reveals nothing of it."""
        return hashlib.sha256(b"claimstream access log key\n" + self.secret).hexdigest()[:16]


@dataclass(frozen=True)
class AuditRing:
    keys: tuple[AuditKey, ...]

    @property
    def current(self) -> AuditKey:
        return self.keys[0]

    def get(self, key_id: str | None) -> AuditKey | None:
        return next((key for key in self.keys if key.id == key_id), None)

    @classmethod
    def parse(cls, text: str) -> "AuditRing":
        lines = [line for line in (raw.strip() for raw in text.splitlines()) if line and not line.startswith("#")]
        try:
            keys = tuple(AuditKey(bytes.fromhex(line)) for line in lines)
        except ValueError:
            raise ValueError("an access log key is not hex") from None
        if not keys or any(len(key.secret) != KEY_BYTES for key in keys):
            raise ValueError(f"an access log key ring holds keys of {KEY_BYTES} bytes, one per line in hex")
        return cls(keys)

    @classmethod
    def from_file(cls, path: Path | None) -> "AuditRing":
        if path is None:
            raise ValueError("IDENTITY_AUDIT_KEY_FILE is not set: the access log cannot be chained or verified")
        return cls.parse(path.read_text())


def new_key_line() -> str:
    """A new key, as a line of a ring file (its first line, to chain with it from now on)."""
    return secrets.token_hex(KEY_BYTES) + "\n"


def new_ring_file(path: Path) -> Path:
    """A ring of one new key at `path`, readable by its owner alone (a test's, a benchmark's)."""
    path.touch(mode=0o600)
    path.write_text(new_key_line())
    return path
