"""What a process's `/readyz` reports: the database answers, the broker answers, and each loop's last pass
(heartbeats.py). An API serves it from its app (web.py); a worker from its own small server, beside `/metrics`
(metrics.py), where one of its own loops that stopped ending passes also makes it unready: the worker is what runs
them, and an orchestrator should not count a worker whose loops stalled as rolled out. A loop whose passes fail (a
partner is down) is reported, not made a failure: a restart would not bring the partner back; nor is a row no loop
of this worker writes (a loop renamed or gone)."""

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from claimstream_platform.heartbeats import loop_health
from claimstream_platform.messaging.kafka import new_admin

KAFKA_CHECK_SECONDS = 15.0  # the broker is asked at most this often (longer than a probe's period): not per probe


@dataclass
class Readiness:
    bootstrap_servers: str
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    must_beat: frozenset[str] = frozenset()  # a worker's own loops: one of them stalled makes it unready
    _kafka_checked_at: float = -KAFKA_CHECK_SECONDS
    _kafka_ok: bool = False
    _kafka_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def report(self) -> tuple[bool, dict[str, Any]]:
        """Whether the process is ready, and why: each check, and each loop's state."""
        checks = {"database": await self.database_ready(), "kafka": await self.kafka_ready()}
        loops = await self.loops() if checks["database"] else {}
        stalled = sorted(name for name, loop in loops.items() if loop["stalled"] and name in self.must_beat)
        ready = all(checks.values()) and not stalled
        body: dict[str, Any] = {"status": "ready" if ready else "not ready", "checks": checks, "loops": loops}
        if not ready:
            unavailable = [name for name, ok in checks.items() if not ok]
            unavailable += [f"loops {', '.join(stalled)}"] if stalled else []
            body["detail"] = ", ".join(unavailable) + " unavailable"
        return ready, body

    async def database_ready(self) -> bool:
        try:
            async with asyncio.timeout(2), self.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
            return True
        except Exception:
            return False

    async def loops(self) -> dict[str, dict[str, object]]:
        try:
            async with asyncio.timeout(2), self.sessionmaker() as session:
                return await loop_health(session)
        except Exception:  # a service without heartbeats, or the database just went away
            return {}

    async def kafka_ready(self) -> bool:
        async with self._kafka_lock:
            if time.monotonic() - self._kafka_checked_at > KAFKA_CHECK_SECONDS:
                self._kafka_ok = await _kafka_answers(self.bootstrap_servers)
                self._kafka_checked_at = time.monotonic()
            return self._kafka_ok


async def _kafka_answers(bootstrap_servers: str) -> bool:
    admin = new_admin(bootstrap_servers)
    try:
        async with asyncio.timeout(3):
            await admin.start()
            await admin.describe_cluster()
        return True
    except Exception:
        return False
    finally:
        await admin.close()
