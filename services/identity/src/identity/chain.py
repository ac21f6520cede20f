"""The access log's chain, pure: each row's hash is an HMAC-SHA256, under identity's audit key, of its content and
the hash of the chain's previous row, so changing, removing or inserting a row anywhere breaks the chain there, and
no one without the key (a database owner, identity's own database role) can write a row that verifies
(docs/identity.md). One chain per tenant, and the installation's own (`INSTALLATION`)."""

import hashlib
import hmac
import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from identity.audit_keys import AuditKey, AuditRing

GENESIS = "0" * 64  # the previous hash of a chain's first row
CONTENT = (
    "tenant_id",
    "seq",
    "access_id",
    "occurred_at",
    "service",
    "actor",
    "actor_kind",
    "audit",
    "action",
    "resource",
    "status",
    "client",
    "correlation_id",
)


def row_hash(key: AuditKey, previous_hash: str, row: Mapping[str, Any]) -> str:
    """HMAC-SHA256 under `key` of its id, the previous row's hash and the row's content in one canonical form."""
    message = f"{key.id}\n{previous_hash}\n{_content(row)}".encode()
    return hmac.new(key.secret, message, hashlib.sha256).hexdigest()


def unkeyed_hash(previous_hash: str, row: Mapping[str, Any]) -> str:
    """The plain sha256 the rows had before the chain was keyed: anyone can compute it, so it proves nothing now.
    Identity's migration 0003 checks the rows of before with it once, then chains them anew with the key."""
    return hashlib.sha256(f"{previous_hash}\n{_content(row)}".encode()).hexdigest()


def _content(row: Mapping[str, Any]) -> str:
    content = {name: _canonical(row[name]) for name in CONTENT}
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _canonical(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): str(v) for k, v in value.items()}
    return value


@dataclass(frozen=True)
class Break:
    """The first row of a chain that does not hold, and why."""

    tenant_id: UUID
    seq: int
    reason: str


@dataclass
class Walk:
    """A walk along one or more chains, row by row in (tenant, seq) order, checking each with the ring's keys."""

    ring: AuditRing
    rows: int = 0
    tenants: int = 0
    broken: Break | None = None
    by_key: Counter[str] = field(default_factory=Counter)  # rows per key id: when a retired key chained its last
    _tenant: UUID | None = None
    _seq: int = 0
    _hash: str = GENESIS

    def step(self, row: Mapping[str, Any]) -> bool:
        """Check one row; False once the walk found a break (the caller stops there)."""
        if row["tenant_id"] != self._tenant:
            self._tenant, self._seq, self._hash = row["tenant_id"], 0, GENESIS
            self.tenants += 1
        self.rows += 1
        self.broken = self._fault(row)
        self._seq, self._hash = row["seq"], row["hash"]
        self.by_key[str(row["key_id"])] += 1
        return self.broken is None

    def _fault(self, row: Mapping[str, Any]) -> Break | None:
        def broken(reason: str) -> Break:
            return Break(row["tenant_id"], row["seq"], reason)

        if row["seq"] != self._seq + 1:
            return broken(f"row {self._seq + 1} is missing")
        if row["previous_hash"] != self._hash:
            return broken("does not follow the previous row's hash")
        key = self.ring.get(row["key_id"])
        if key is None:
            return broken(f"chained with a key not in the ring ({row['key_id']})")
        if not hmac.compare_digest(row["hash"], row_hash(key, row["previous_hash"], row)):
            return broken("its content does not match its hash")
        return None


def walk(ring: AuditRing, rows: Iterable[Mapping[str, Any]]) -> Walk:
    found = Walk(ring)
    for row in rows:
        if not found.step(row):
            break
    return found
