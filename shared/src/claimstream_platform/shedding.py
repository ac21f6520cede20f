"""Load shedding: how many requests one API process works on at once, and how many of them one tenant may hold
(docs/platform.md, "Load shedding"; reliability scenarios 11 and 21). Bookkeeping in memory, no IO: the gate
asks it once the caller is known, before the rate limiter, the body or the database.

A request beyond the process's bound is answered 503 at once; a tenant that holds its share of the slots while
the process is busy is answered 429 at once, and the other tenants' requests are still taken. Nothing waits for a
slot: a queue in front of a saturated process turns one tenant's burst into everyone's latency, and its callers
time out and retry anyway.
"""

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from claimstream_platform.auth import Caller, Principal

if TYPE_CHECKING:
    from claimstream_platform.settings import ServiceSettings

AT_BOUND = "in-flight-bound"  # why a request was shed, as the metrics name it: 503
OVER_SHARE = "tenant-share"  # 429
OPERATORS = "operators"  # every installation operator together holds one share
ANONYMOUS = "anonymous"  # so does every caller of a public route (signing in), whatever its address


@dataclass(frozen=True)
class SheddingPolicy:
    max_in_flight: int = 32  # requests one process works on at once (settings: MAX_REQUESTS_IN_FLIGHT)
    share: float = 0.5  # the most of them one tenant may hold while the process is busy
    busy_from: float = 0.75  # the process is busy from this fraction of its bound on
    retry_after: int = 1  # seconds: a slot frees as soon as any request ends

    @classmethod
    def of(cls, settings: "ServiceSettings") -> "SheddingPolicy":
        return cls(settings.max_requests_in_flight, settings.in_flight_tenant_share, settings.in_flight_busy_from)

    @property
    def share_slots(self) -> int:
        return max(1, math.floor(self.max_in_flight * self.share))

    @property
    def busy_slots(self) -> int:
        return max(1, math.ceil(self.max_in_flight * self.busy_from))


@dataclass(frozen=True)
class Shed:
    reason: str  # AT_BOUND or OVER_SHARE
    retry_after: int


class Slot:
    """An admitted request's place in the process; given back once, however the request ends."""

    def __init__(self, give_back: Callable[[], None]) -> None:
        self._give_back: Callable[[], None] | None = give_back

    def release(self) -> None:
        give_back, self._give_back = self._give_back, None
        if give_back is not None:
            give_back()


def _ignore(_change: int) -> None:
    return None


class Shedder:
    """One process's requests in flight, in all and by party (a tenant, the operators, the anonymous callers)."""

    def __init__(self, policy: SheddingPolicy | None = None, *, on_change: Callable[[int], None] = _ignore) -> None:
        self.policy = policy or SheddingPolicy()
        self.in_flight = 0
        self.held: Counter[str] = Counter()
        self._on_change = on_change  # the in-flight gauge

    def admit(self, party: str) -> Slot | Shed:
        """A slot, or why not: over its share first (the party's own doing: 429), then the bound (503)."""
        policy = self.policy
        if self.in_flight >= policy.busy_slots and self.held[party] >= policy.share_slots:
            return Shed(OVER_SHARE, policy.retry_after)
        if self.in_flight >= policy.max_in_flight:
            return Shed(AT_BOUND, policy.retry_after)
        self.in_flight += 1
        self.held[party] += 1
        self._on_change(1)
        return Slot(lambda: self._release(party))

    def _release(self, party: str) -> None:
        self.in_flight -= 1
        self.held[party] -= 1
        if self.held[party] <= 0:
            del self.held[party]  # the counter does not grow with every tenant ever seen
        self._on_change(-1)


def party(caller: Caller | None) -> str:
    """Whose share a request spends: its tenant's, the operators', or the anonymous callers' (a public route)."""
    if isinstance(caller, Principal):
        return f"tenant:{caller.tenant_id}"
    return OPERATORS if caller is not None else ANONYMOUS
