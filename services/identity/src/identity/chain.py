"""The access log's hash chain, pure: each row's hash covers its content and the hash of the tenant's previous row,
so changing, removing or inserting a row anywhere breaks every hash after it (docs/identity.md)."""

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

GENESIS = "0" * 64  # the previous hash of a tenant's first row
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


def row_hash(previous_hash: str, row: Mapping[str, Any]) -> str:
    """sha256 of the previous row's hash and the row's content in one canonical JSON form."""
    content = {name: _canonical(row[name]) for name in CONTENT}
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{previous_hash}\n{text}".encode()).hexdigest()


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
    """The first row of a tenant's chain that does not hold, and why."""

    tenant_id: UUID
    seq: int
    reason: str


@dataclass
class Walk:
    """A walk along one or more tenants' chains, row by row in (tenant, seq) order."""

    rows: int = 0
    tenants: int = 0
    broken: Break | None = None
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
        return self.broken is None

    def _fault(self, row: Mapping[str, Any]) -> Break | None:
        def broken(reason: str) -> Break:
            return Break(row["tenant_id"], row["seq"], reason)

        if row["seq"] != self._seq + 1:
            return broken(f"row {self._seq + 1} is missing")
        if row["previous_hash"] != self._hash:
            return broken("does not follow the previous row's hash")
        if row["hash"] != row_hash(row["previous_hash"], row):
            return broken("its content does not match its hash")
        return None


def walk(rows: Iterable[Mapping[str, Any]]) -> Walk:
    found = Walk()
    for row in rows:
        if not found.step(row):
            break
    return found
