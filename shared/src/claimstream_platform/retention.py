"""Pruning of the platform's bookkeeping rows: published outbox rows, inbox rows and expired idempotency keys, each
kept as long as its setting says (`settings.RetentionSettings`; docs/platform.md, Retention), then deleted.

Every service's worker runs it as a periodic loop (`kit.Service.workers`). A pass deletes in bounded batches, each
its own short statement and transaction (`retention_batch_size` rows), so no lock is held for long and nothing the
live paths touch waits: the relay's pending rows, a consumer's fresh inbox rows and a live key are never among
them. A pass stops a table after `MAX_BATCHES` batches; the next pass goes on, so a first pass over a long history
ends and records its heartbeat. It runs across tenants as every loop does, on the across-tenants role's sessions:
the idempotency keys are walled, the outbox and the inbox are not (`migrate.UNWALLED`, docs/security.md).
"""

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, Integer, Interval, TextClause, bindparam, text
from sqlalchemy.engine import Connection

from claimstream_platform import telemetry
from claimstream_platform.db import SessionFactory
from claimstream_platform.loops import PeriodicLoop
from claimstream_platform.settings import RetentionSettings, kept_for

log = logging.getLogger(__name__)
MAX_BATCHES = 200  # per table and pass: a million rows at the default batch size


# Each statement deletes at most :batch rows that are past :age; rows another transaction holds are left for the
# next pass (SKIP LOCKED), so two replicas' passes never wait on each other.
def _statement(sql: str) -> TextClause:
    return text(sql).bindparams(bindparam("age", type_=Interval), bindparam("batch", type_=Integer))


_PRUNE: Mapping[str, TextClause] = {
    # Published only: a pending row (sent_at empty) and a quarantined one wait for the relay or an operator.
    "outbox": _statement(
        "DELETE FROM outbox WHERE seq IN (SELECT seq FROM outbox WHERE sent_at < now() - :age"
        " AND quarantined_at IS NULL LIMIT :batch FOR UPDATE SKIP LOCKED)"
    ),
    "inbox": _statement(
        "DELETE FROM inbox WHERE (consumer, event_id) IN (SELECT consumer, event_id FROM inbox"
        " WHERE processed_at < now() - :age LIMIT :batch FOR UPDATE SKIP LOCKED)"
    ),
    # An expired key already counts as absent (idempotency._claim); :age is the grace past its expiry.
    "idempotency_keys": _statement(
        "DELETE FROM idempotency_keys WHERE (tenant_id, principal, route, key) IN (SELECT tenant_id, principal,"
        " route, key FROM idempotency_keys WHERE expires_at < now() - :age LIMIT :batch FOR UPDATE SKIP LOCKED)"
    ),
}


@dataclass(frozen=True)
class RetentionPolicy:
    """How long each table keeps its rows (None: forever), and how many rows one statement deletes."""

    outbox: timedelta | None
    inbox: timedelta | None
    idempotency_grace: timedelta
    batch_size: int = 5000

    @classmethod
    def of(cls, settings: RetentionSettings) -> "RetentionPolicy":
        return cls(
            outbox=kept_for(settings.outbox_retention_days),
            inbox=kept_for(settings.inbox_retention_days),
            idempotency_grace=timedelta(hours=settings.idempotency_key_grace_hours),
            batch_size=settings.retention_batch_size,
        )

    def ages(self) -> dict[str, timedelta]:
        """Each table pruned, with the age past which its rows go."""
        ages = {"outbox": self.outbox, "inbox": self.inbox, "idempotency_keys": self.idempotency_grace}
        return {table: age for table, age in ages.items() if age is not None}


async def prune(sessionmaker: SessionFactory, policy: RetentionPolicy) -> dict[str, int]:
    """One pass over every table the policy prunes; the rows deleted from each."""
    return {
        table: await _prune_table(sessionmaker, table, age, policy.batch_size) for table, age in policy.ages().items()
    }


async def _prune_table(sessionmaker: SessionFactory, table: str, age: timedelta, batch_size: int) -> int:
    pruned = 0
    for _ in range(MAX_BATCHES):
        async with sessionmaker() as session:
            result = await session.execute(_PRUNE[table], {"age": age, "batch": batch_size})
            await session.commit()
        deleted = cast(CursorResult[Any], result).rowcount
        pruned += deleted
        if deleted < batch_size:
            break
    return pruned


class Pruning(PeriodicLoop):
    """The retention pass as a loop of the service's worker: its heartbeat is `<service>.retention`, its counts
    the `claimstream.retention.pruned` metric (per service and table) and one log line a pass."""

    def __init__(self, sessionmaker: SessionFactory, *, service: str, policy: RetentionPolicy, interval: float) -> None:
        super().__init__(sessionmaker, interval)
        self.name = f"{service}.retention"
        self._service, self._policy = service, policy

    async def run_once(self) -> None:
        pruned = await prune(self._sessionmaker, self._policy)
        for table, count in pruned.items():
            telemetry.ROWS_PRUNED.add(count, {"service": self._service, "table": table})
        log.info("retention pass", extra={"service": self._service, "pruned": pruned})


def add_retention_indexes(connection: Connection) -> None:
    """For each service's migration that brings existing platform tables up to date (a new schema has them already:
    `create_platform_tables` creates the tables as `db` describes them): the indexes a pass finds its rows by."""
    for index in _INDEXES:
        connection.execute(text(f"CREATE INDEX IF NOT EXISTS {index}"))


# As `db` declares them: created there for a new schema, here for an existing one.
_INDEXES = (
    "ix_outbox_sent_at ON outbox (sent_at) WHERE sent_at IS NOT NULL",
    "ix_inbox_processed_at ON inbox (processed_at)",
    "ix_idempotency_keys_expires_at ON idempotency_keys (expires_at)",
)
