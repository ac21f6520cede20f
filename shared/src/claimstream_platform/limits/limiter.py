"""The rate limiter one API process runs: permits leased in blocks from the shared counters, spent locally.

When the shared store cannot be reached the limiter fails open for a bounded time (`fail_open_seconds`, logged),
then answers "unavailable" (503 with Retry-After) until the store is back: docs/security.md says why.
"""

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Protocol
from uuid import UUID

from claimstream_platform.access import RateClass
from claimstream_platform.limits.budgets import Budget, Held, block_size, granted, seconds_left, window_of
from claimstream_platform.limits.store import Overrides

log = logging.getLogger(__name__)
OVERRIDES_TTL = 30.0  # seconds an operator's new budget takes to reach every process
PRUNE_EVERY = 300.0
KEEP_WINDOWS_FOR = 3600  # seconds of past windows kept (for an operator looking at a burst)
STORE_TIMEOUT = 1.0
START_TIMEOUT = 10.0  # the process's first reads of the store, before it takes requests
RETRY_STORE_AFTER = 1.0  # while the store is down, try it again at most this often
UNAVAILABLE_RETRY_AFTER = 5
FORGET_AFTER = 600  # seconds after its window began that a process forgets a bucket's permits
# Classes whose budget protects more than this installation's capacity: each payer call is billed and spends the
# clearinghouse's quota, so while the counters cannot be read it is refused (503 with Retry-After), never let
# through unlimited. A slow database (leases past STORE_TIMEOUT) is when a flood of them would cost the most.
FAIL_CLOSED = frozenset({RateClass.PAYER})


class CounterStore(Protocol):
    async def lease(self, bucket: str, window_start: int, block: int) -> int: ...

    async def overrides(self) -> Overrides: ...

    async def prune(self, before: int) -> None: ...


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after: int = 0
    unavailable: bool = False  # the store has been unreachable longer than the limiter fails open
    spent: str = ""  # whose budget refused: "client" or "tenant"


ALLOWED = Decision(True)


class RateLimiter:
    def __init__(
        self,
        store: CounterStore,
        service: str,
        defaults: Mapping[RateClass, Budget],
        *,
        fail_open_seconds: float = 60.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store, self.service, self.defaults = store, service, dict(defaults)
        self.fail_open_seconds, self.clock = fail_open_seconds, clock
        self._held: dict[str, Held] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._overrides: Overrides = {}
        self._overrides_at = self._pruned_at = float("-inf")
        self._down_since: float | None = None
        self._retry_store_at = float("-inf")

    def budget(self, rate: RateClass, tenant_id: UUID | None) -> Budget:
        if tenant_id is not None and (tenant_id, rate) in self._overrides:
            return self._overrides[(tenant_id, rate)]
        return self.defaults[rate]

    async def check(self, rate: RateClass, *, tenant_id: UUID | None, client: str) -> Decision:
        """One request of `rate` by `client` (of `tenant_id`, None for an operator or a public route's caller).

        The client's bucket first, so a client over its own budget does not spend its tenant's."""
        await self._housekeeping()
        budget = self.budget(rate, tenant_id)
        buckets = [("client", f"{self.service}|client:{client}|{rate}", budget.client)]
        if tenant_id is not None:
            buckets.append(("tenant", f"{self.service}|tenant:{tenant_id}|{rate}", budget.tenant))
        for whose, bucket, limit in buckets:
            decision = await self._take(bucket, limit, budget.window_seconds, fail_open=rate not in FAIL_CLOSED)
            if not decision.allowed:
                return replace(decision, spent=whose)
        return ALLOWED

    async def _take(self, bucket: str, limit: int, window_seconds: int, *, fail_open: bool) -> Decision:
        now = self.clock()
        window = window_of(now, window_seconds)
        start = window * window_seconds  # epoch seconds: the same window on every replica
        held = self._held.setdefault(bucket, Held())
        taken = held.take(start)
        if taken is None:
            async with self._locks.setdefault(bucket, asyncio.Lock()):
                taken = held.take(start)  # another request may have leased while this one waited
                if taken is None:
                    got = await self._lease(bucket, start, limit)
                    if got is None:
                        return self._store_down(fail_open=fail_open)
                    held.add(start, block_size(limit), got)
                    taken = held.take(start)
        if taken:
            return ALLOWED
        return Decision(False, retry_after=seconds_left(now, window, window_seconds))

    async def _lease(self, bucket: str, window_start: int, limit: int) -> int | None:
        """Permits granted, or None when the store did not answer."""
        if self.clock() < self._retry_store_at:
            return None
        block = block_size(limit)
        try:
            async with asyncio.timeout(STORE_TIMEOUT):
                used = await self.store.lease(bucket, window_start, block)
        except Exception as error:
            self._failed(error)
            return None
        if self._down_since is not None:
            log.warning("rate limit store reachable again; limits apply")
        # Both marks go together: a lease sent before another failed may answer after it, and the store is back.
        self._down_since, self._retry_store_at = None, float("-inf")
        return granted(used, block, limit)

    def _failed(self, error: Exception) -> None:
        now = self.clock()
        self._retry_store_at = now + RETRY_STORE_AFTER
        if self._down_since is None:
            self._down_since = now
            log.warning(
                "rate limit store unreachable: requests are let through unlimited for at most %s s",
                self.fail_open_seconds,
                extra={"error": type(error).__name__},
            )

    def _store_down(self, *, fail_open: bool) -> Decision:
        assert self._down_since is not None
        if fail_open and self.clock() - self._down_since < self.fail_open_seconds:
            return ALLOWED
        return Decision(False, retry_after=UNAVAILABLE_RETRY_AFTER, unavailable=True)

    async def start(self) -> None:
        """Before the first request: the overrides read and old windows pruned, with time for the store's first
        connection. Left to the first request, a payer call (which fails closed) on a loaded machine was refused
        503 when opening that connection took longer than a request's STORE_TIMEOUT."""
        await self._housekeeping(timeout=START_TIMEOUT)

    async def _housekeeping(self, timeout: float = STORE_TIMEOUT) -> None:
        """Refresh the operators' overrides now and then, and prune old windows; a failure keeps what it had."""
        now = self.clock()
        if now - self._overrides_at >= OVERRIDES_TTL and now >= self._retry_store_at:
            self._overrides_at = now
            try:
                async with asyncio.timeout(timeout):
                    self._overrides = await self.store.overrides()
            except Exception as error:
                self._failed(error)
        if now - self._pruned_at >= PRUNE_EVERY:
            self._pruned_at = now
            self._forget_old_windows(now)
            try:
                async with asyncio.timeout(timeout):
                    await self.store.prune(int(now) - KEEP_WINDOWS_FOR)
            except Exception as error:
                self._failed(error)

    def _forget_old_windows(self, now: float) -> None:
        """Drop this process's permits of windows long gone, so its memory does not grow with its callers."""
        stale = [bucket for bucket, held in self._held.items() if held.window_start < now - FORGET_AFTER]
        for bucket in stale:
            if not (lock := self._locks.get(bucket)) or not lock.locked():
                self._held.pop(bucket, None)
                self._locks.pop(bucket, None)
