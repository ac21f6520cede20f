"""Request budgets per route class, and the permits one process holds: pure, no IO.

A budget is a number of requests per window (fixed windows of `window_seconds`, the same for every replica). The
shared counter lives in PostgreSQL; a process leases permits from it in blocks (`block_size`) and spends them
locally, so most requests cost no round trip, and the limit holds across replicas within one block per process.
"""

import math
from dataclasses import dataclass

from claimstream_platform.access import RateClass


@dataclass(frozen=True)
class Budget:
    tenant: int  # requests per window for all of a tenant's callers together
    client: int  # per caller: a token's subject, or the address of a caller of a public route
    window_seconds: int = 10


# Above the benchmark's loads for one tenant and one token (2,000 encounters/s in batches of up to 1,000, 300
# single POSTs/s), with room for a tenant's people working beside its integration.
DEFAULT_BUDGETS: dict[RateClass, Budget] = {
    RateClass.READ: Budget(tenant=20_000, client=10_000),
    RateClass.WRITE: Budget(tenant=10_000, client=5_000),
    RateClass.BATCH: Budget(tenant=1_000, client=500),
    RateClass.UPLOAD: Budget(tenant=300, client=150),
    RateClass.SIGN_IN: Budget(tenant=30, client=30, window_seconds=60),
    # Each request is a call to the clearinghouse, which answers (and bills) per transaction: a front desk asks a
    # few a minute; many visits at once go through the batch route, whose checks the worker asks at its own pace.
    RateClass.PAYER: Budget(tenant=300, client=150, window_seconds=60),
}


def block_size(limit: int) -> int:
    """Permits leased at once: a fiftieth of the budget (at most 200), so a replica strands little of it."""
    return max(1, min(limit // 50, 200))


def granted(used_after: int, block: int, limit: int) -> int:
    """What a lease of `block` got, from the counter after it added the block (it may pass the limit)."""
    return max(0, min(block, limit - (used_after - block)))


def window_of(now: float, window_seconds: int) -> int:
    return math.floor(now / window_seconds)


def seconds_left(now: float, window: int, window_seconds: int) -> int:
    """Retry-After: whole seconds until the next window opens (at least 1)."""
    return max(1, math.ceil((window + 1) * window_seconds - now))


@dataclass
class Held:
    """The permits one process holds for one bucket in the current window."""

    window_start: int = -1  # epoch seconds
    left: int = 0
    spent: bool = False  # the shared counter had no more for this window

    def take(self, window_start: int) -> bool | None:
        """True: a permit was taken; False: none is left in this window; None: lease more first."""
        self._roll(window_start)
        if self.left > 0:
            self.left -= 1
            return True
        return False if self.spent else None

    def add(self, window_start: int, asked: int, got: int) -> None:
        self._roll(window_start)
        self.left += got
        self.spent = got < asked

    def _roll(self, window_start: int) -> None:
        if window_start != self.window_start:
            self.window_start, self.left, self.spent = window_start, 0, False
