"""The rate limiter's leasing and its failure mode, on a counter store in memory."""

import asyncio
from uuid import uuid4

from claimstream_platform.access import RateClass
from claimstream_platform.limits import Budget, RateLimiter
from claimstream_platform.limits.budgets import block_size, granted
from claimstream_platform.limits.limiter import STORE_TIMEOUT
from claimstream_platform.limits.store import Overrides

WRITE = RateClass.WRITE


class MemoryStore:
    def __init__(self) -> None:
        self.used: dict[tuple[str, int], int] = {}
        self.leases = 0
        self.down = False
        self.overridden: Overrides = {}

    async def lease(self, bucket: str, window_start: int, block: int) -> int:
        if self.down:
            raise ConnectionRefusedError("no database")
        self.leases += 1
        self.used[(bucket, window_start)] = self.used.get((bucket, window_start), 0) + block
        return self.used[(bucket, window_start)]

    async def overrides(self) -> Overrides:
        if self.down:
            raise ConnectionRefusedError("no database")
        return self.overridden

    async def prune(self, before: int) -> None:
        self.used = {key: used for key, used in self.used.items() if key[1] >= before}


class Clock:
    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def limiter(store: MemoryStore, clock: Clock, budget: Budget, **options: float) -> RateLimiter:
    return RateLimiter(store, "svc", {WRITE: budget}, clock=clock, **options)


async def allowed(limiter: RateLimiter, count: int, **who: object) -> int:
    return sum([(await limiter.check(WRITE, **who)).allowed for _ in range(count)])  # type: ignore[arg-type]


def test_a_lease_grants_what_is_left_of_the_budget_and_no_more() -> None:
    assert (block_size(10), block_size(1_000), block_size(100_000)) == (1, 20, 200)
    assert granted(used_after=20, block=20, limit=1000) == 20
    assert granted(used_after=1005, block=20, limit=1000) == 15
    assert granted(used_after=1040, block=20, limit=1000) == 0


async def test_permits_are_leased_in_blocks_and_the_budget_holds_across_two_processes() -> None:
    store, clock = MemoryStore(), Clock()
    one, two = (limiter(store, clock, Budget(tenant=1_000, client=1_000)) for _ in range(2))
    tenant = uuid4()
    total = 0
    for _ in range(60):
        total += await allowed(one, 10, tenant_id=tenant, client="a") + await allowed(
            two, 10, tenant_id=tenant, client="a"
        )
    assert 1_000 - 2 * 2 * block_size(1_000) <= total <= 1_000
    assert store.leases <= 2 * (1_000 // block_size(1_000) + 2)  # a round trip per block, not per request


async def test_a_new_window_gives_a_new_budget_and_retry_after_names_it() -> None:
    store, clock = MemoryStore(), Clock(1_800_000_003.0)
    limited = limiter(store, clock, Budget(tenant=3, client=3, window_seconds=10))
    assert await allowed(limited, 4, tenant_id=None, client="x") == 3
    refused = await limited.check(WRITE, tenant_id=None, client="x")
    assert (refused.allowed, refused.retry_after, refused.spent) == (False, 7, "client")
    clock.now += 7
    assert await allowed(limited, 3, tenant_id=None, client="x") == 3


async def test_a_client_over_its_own_budget_does_not_spend_its_tenants() -> None:
    store, clock = MemoryStore(), Clock()
    limited = limiter(store, clock, Budget(tenant=5, client=2))
    tenant = uuid4()
    assert await allowed(limited, 10, tenant_id=tenant, client="greedy") == 2
    assert await allowed(limited, 10, tenant_id=tenant, client="other") == 2
    assert await allowed(limited, 10, tenant_id=tenant, client="third") == 1
    assert (await limited.check(WRITE, tenant_id=tenant, client="fourth")).spent == "tenant"


async def test_a_tenants_override_replaces_the_default() -> None:
    store, clock, tenant = MemoryStore(), Clock(), uuid4()
    store.overridden = {(tenant, WRITE): Budget(tenant=1, client=1)}
    limited = limiter(store, clock, Budget(tenant=100, client=100))
    assert await allowed(limited, 5, tenant_id=tenant, client="a") == 1
    assert await allowed(limited, 5, tenant_id=uuid4(), client="b") == 5


async def test_an_unreachable_store_lets_requests_through_for_a_bounded_time_then_answers_unavailable() -> None:
    store, clock = MemoryStore(), Clock()
    limited = limiter(store, clock, Budget(tenant=1, client=1), fail_open_seconds=60)
    store.down = True
    assert await allowed(limited, 5, tenant_id=uuid4(), client="a") == 5
    clock.now += 61
    refused = await limited.check(WRITE, tenant_id=uuid4(), client="a")
    assert (refused.allowed, refused.unavailable, refused.retry_after) == (False, True, 5)
    store.down = False
    clock.now += 2
    assert (await limited.check(WRITE, tenant_id=uuid4(), client="b")).allowed


class LateStore(MemoryStore):
    """A store whose leases for one bucket answer only when told, as a slow database does for a query in flight."""

    def __init__(self, late: str) -> None:
        super().__init__()
        self.late, self.answer = late, asyncio.Event()

    async def lease(self, bucket: str, window_start: int, block: int) -> int:
        if self.late in bucket:
            await self.answer.wait()
            return await super().lease(bucket, window_start, block)
        return await super().lease(bucket, window_start, block)


async def test_a_lease_that_answers_after_another_failed_leaves_the_limiter_whole() -> None:
    """Under load one lease timed out while another, sent before it, was still on its way; that one answered (the
    store is back), and the next request within the second after the failure hit an assertion: a 500."""
    store, clock = LateStore(late="client:slow"), Clock()
    limited = limiter(store, clock, Budget(tenant=1_000, client=1_000))
    in_flight = asyncio.create_task(limited.check(WRITE, tenant_id=None, client="slow"))
    await asyncio.sleep(0)  # its lease is on its way
    store.down = True
    assert (await limited.check(WRITE, tenant_id=None, client="failed")).allowed  # fails open
    store.down = False
    store.answer.set()
    assert (await in_flight).allowed
    assert (await limited.check(WRITE, tenant_id=None, client="next")).allowed


async def test_a_payer_call_is_refused_while_the_store_is_unreachable_not_let_through() -> None:
    """The payer class's budget caps a bill and a partner's quota: it does not fail open as capacity's does."""
    store, clock, budget = MemoryStore(), Clock(), Budget(tenant=10, client=10)
    limited = RateLimiter(store, "svc", {WRITE: budget, RateClass.PAYER: budget}, clock=clock)
    store.down = True
    refused = await limited.check(RateClass.PAYER, tenant_id=uuid4(), client="desk")
    assert (refused.allowed, refused.unavailable, refused.retry_after) == (False, True, 5)
    assert (await limited.check(WRITE, tenant_id=uuid4(), client="desk")).allowed


async def test_a_store_slow_to_first_answer_is_waited_for_at_start_not_by_the_first_payer_call() -> None:
    """Opening the store's first connection on a loaded machine took longer than a request may wait (STORE_TIMEOUT):
    the first payer call, which fails closed, was refused 503. The process's start reads the store first instead."""

    class SlowAtFirst(MemoryStore):
        opened = False

        async def overrides(self) -> Overrides:
            if not self.opened:
                self.opened = True
                await asyncio.sleep(STORE_TIMEOUT * 1.5)  # the first connection being opened
            return await super().overrides()

    budget = Budget(tenant=10, client=10)
    for start in (False, True):
        limited = RateLimiter(SlowAtFirst(), "svc", {WRITE: budget, RateClass.PAYER: budget})
        if start:
            await limited.start()
        first = await limited.check(RateClass.PAYER, tenant_id=uuid4(), client="desk")
        assert first.allowed is start, start
