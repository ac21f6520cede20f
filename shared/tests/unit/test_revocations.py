"""The revocation list as an API process holds it: what it refuses, and what it does when it cannot refresh."""

import asyncio
import time
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest
from claimstream_platform.auth import Kind, Operator, Principal
from claimstream_platform.errors import TransientError, Unauthenticated
from claimstream_platform.revocations import RevocationList, Revocations
from sqlalchemy.ext.asyncio import create_async_engine

NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)
TENANT = uuid4()


def principal(subject: str = "user:a", jti: str = "j1", issued_at: datetime = NOW, tenant: UUID = TENANT) -> Principal:
    return Principal(subject, tenant, None, jti, frozenset({"biller"}), Kind.PERSON, issued_at)


def test_a_revoked_token_id_is_refused_and_others_are_not() -> None:
    revoked = RevocationList()
    revoked.add(1, "j1", None, None, NOW + timedelta(hours=1))
    assert revoked.revoked(principal(jti="j1"))
    assert not revoked.revoked(principal(jti="j2"))
    assert revoked.cursor == 1


def test_a_subject_cutoff_refuses_tokens_issued_before_it_only() -> None:
    revoked = RevocationList()
    revoked.add(4, None, "user:a", NOW, NOW + timedelta(days=90), TENANT)
    assert revoked.revoked(principal(issued_at=NOW - timedelta(minutes=5)))
    assert revoked.revoked(principal(issued_at=NOW))
    assert not revoked.revoked(principal(issued_at=NOW + timedelta(seconds=1)))
    assert not revoked.revoked(principal(subject="user:b", issued_at=NOW - timedelta(minutes=5)))
    revoked.add(5, None, "operator:a", NOW, NOW + timedelta(hours=1))  # an operator's: no tenant
    assert revoked.revoked(Operator("operator:a", "j9", NOW - timedelta(seconds=1)))


def test_a_subject_cutoff_is_its_tenants_alone() -> None:
    """The same subject string in another tenant's token (or an operator's) is another caller."""
    revoked = RevocationList()
    revoked.add(1, None, "user:a", NOW, NOW + timedelta(days=90), TENANT)
    assert not revoked.revoked(principal(issued_at=NOW - timedelta(minutes=5), tenant=uuid4()))
    assert not revoked.revoked(Operator("user:a", "j9", NOW - timedelta(minutes=5)))
    assert revoked.revoked(principal(issued_at=NOW - timedelta(minutes=5)))


def test_a_later_cutoff_wins_and_expired_entries_are_forgotten() -> None:
    revoked = RevocationList()
    revoked.add(1, None, "user:a", NOW, NOW + timedelta(days=1), TENANT)
    revoked.add(2, None, "user:a", NOW - timedelta(days=1), NOW + timedelta(days=1), TENANT)
    assert revoked.subjects[(TENANT, "user:a")][0] == NOW
    revoked.add(3, "j1", None, None, NOW + timedelta(minutes=1))
    revoked.prune(NOW + timedelta(minutes=2))
    assert "j1" not in revoked.tokens and (TENANT, "user:a") in revoked.subjects


def test_a_process_that_never_loaded_the_list_answers_unavailable() -> None:
    engine = create_async_engine("postgresql+asyncpg://u:p@127.0.0.1:1/none")
    revocations = Revocations(engine, "identity", max_stale=30)
    with pytest.raises(TransientError):
        revocations.check(principal())


def test_a_list_older_than_its_bound_answers_unavailable_and_a_fresh_one_refuses_revoked_tokens() -> None:
    engine = create_async_engine("postgresql+asyncpg://u:p@127.0.0.1:1/none")
    revocations = Revocations(engine, "identity", max_stale=30)
    revocations._list.add(1, "j1", None, None, NOW + timedelta(hours=1))
    revocations._loaded_at = time.monotonic() - 10  # refreshed 10 s ago: still served
    revocations.check(principal(jti="j2"))
    with pytest.raises(Unauthenticated):
        revocations.check(principal(jti="j1"))
    revocations._loaded_at = time.monotonic() - 31  # the database away for longer than the bound
    with pytest.raises(TransientError):
        revocations.check(principal(jti="j2"))


class Counted(Revocations):
    """A refresh that counts itself, takes `takes` seconds and fails when told, the database left out."""

    def __init__(self, *, interval: float = 60, wait: float = 1.0, takes: float = 0.0) -> None:
        nowhere = create_async_engine("postgresql+asyncpg://u:p@127.0.0.1:1/none")
        super().__init__(nowhere, "identity", interval=interval, wait=wait)
        self.refreshes, self.takes, self.failing = 0, takes, False

    async def refresh(self) -> None:
        self.refreshes += 1
        await asyncio.sleep(self.takes)
        if self.failing:
            raise ConnectionRefusedError
        self._loaded_at = time.monotonic()


async def test_a_list_older_than_its_interval_is_refreshed_before_a_request_and_a_young_one_is_not() -> None:
    revocations = Counted(interval=60)
    await revocations.fresh()  # never loaded
    await revocations.fresh()
    assert revocations.refreshes == 1
    revocations._loaded_at = time.monotonic() - 61
    await revocations.fresh()
    assert revocations.refreshes == 2
    revocations.check(principal())  # answered from the list just loaded


async def test_a_slow_refresh_holds_a_request_only_briefly_and_is_not_started_twice() -> None:
    revocations = Counted(interval=60, wait=0.05, takes=10)
    started = time.monotonic()
    await revocations.fresh()
    await revocations.fresh()
    assert time.monotonic() - started < 1 and revocations.refreshes == 1
    with pytest.raises(TransientError):  # never loaded: nothing to answer from
        revocations.check(principal())
    await revocations.close()


async def test_after_a_failed_refresh_requests_do_not_wait_and_the_next_starts_an_interval_later() -> None:
    revocations = Counted(interval=60, wait=5, takes=0.01)
    revocations.failing = True
    await revocations.fresh()  # failed
    revocations.takes = 10  # a database that does not answer: were a request to wait, this test would take 5 s
    started = time.monotonic()
    await revocations.fresh()
    assert time.monotonic() - started < 1 and revocations.refreshes == 1  # not tried again within the interval
    revocations._failed_at = time.monotonic() - 61
    await revocations.fresh()  # tried again, in the background: the request does not wait for it
    await asyncio.sleep(0)  # the refresh's task under way
    assert time.monotonic() - started < 1 and revocations.refreshes == 2
    await revocations.close()


async def test_an_idle_list_is_kept_young_in_the_background() -> None:
    revocations = Counted(interval=0.01)
    revocations._keep_young = 0.05
    await revocations.start()
    for _ in range(100):  # about half a second at most: a few background refreshes
        if revocations.refreshes >= 3:
            break
        await asyncio.sleep(0.01)
    await revocations.close()
    assert revocations.refreshes >= 3
