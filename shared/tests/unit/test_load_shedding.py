"""Load shedding's bookkeeping (shedding.py): the process's bound, each tenant's share once the process is busy,
whose share operators and anonymous callers spend, and slots given back once."""

from uuid import uuid4

import pytest
from claimstream_platform.auth import Operator, Principal
from claimstream_platform.settings import ServiceSettings
from claimstream_platform.shedding import (
    ANONYMOUS,
    AT_BOUND,
    OPERATORS,
    OVER_SHARE,
    Shed,
    Shedder,
    SheddingPolicy,
    Slot,
    party,
)
from pydantic import ValidationError

A, B, C = "tenant:a", "tenant:b", "tenant:c"


def take(shedder: Shedder, who: str, times: int = 1) -> list[Slot]:
    slots = [shedder.admit(who) for _ in range(times)]
    assert all(isinstance(slot, Slot) for slot in slots), slots
    return slots  # type: ignore[return-value]


def test_past_the_bound_every_party_is_shed_503_with_a_retry_after() -> None:
    shedder = Shedder(SheddingPolicy(max_in_flight=4))
    take(shedder, A, 2)
    take(shedder, B, 2)
    assert shedder.admit(C) == Shed(AT_BOUND, 1)
    assert shedder.admit(OPERATORS) == Shed(AT_BOUND, 1)
    assert shedder.in_flight == 4


def test_a_tenant_over_its_share_of_a_busy_process_is_shed_429_while_another_is_admitted() -> None:
    shedder = Shedder(SheddingPolicy(max_in_flight=8))  # a share of 4 slots once 6 are taken
    take(shedder, A, 6)  # alone, A may pass its share until the process is busy
    assert shedder.admit(A) == Shed(OVER_SHARE, 1)
    take(shedder, B)
    assert shedder.held == {A: 6, B: 1}


def test_a_tenant_alone_leaves_the_slots_above_busy_to_the_others() -> None:
    shedder = Shedder(SheddingPolicy(max_in_flight=64))
    admitted = sum(isinstance(shedder.admit(A), Slot) for _ in range(100))
    assert admitted == 48  # three quarters of the bound: the last sixteen wait for tenants that come
    take(shedder, B, 16)
    assert shedder.admit(C) == Shed(AT_BOUND, 1)


def test_a_tenant_over_its_share_is_held_to_it_as_its_requests_end() -> None:
    shedder = Shedder(SheddingPolicy(max_in_flight=8))
    slots = take(shedder, A, 6)
    take(shedder, B, 2)
    for slot in slots[:2]:
        slot.release()
    assert shedder.admit(A) == Shed(OVER_SHARE, 1)  # 4 of 8 still: its share while the process is busy
    take(shedder, C)


def test_under_busy_a_tenant_over_its_share_is_still_admitted() -> None:
    shedder = Shedder(SheddingPolicy(max_in_flight=10, share=0.2, busy_from=0.9))
    take(shedder, A, 8)  # 2 is its share, but the process is not busy before 9
    take(shedder, A)
    assert shedder.admit(A) == Shed(OVER_SHARE, 1)


def test_a_slot_is_given_back_once_however_often_it_is_released() -> None:
    changes: list[int] = []
    shedder = Shedder(SheddingPolicy(max_in_flight=2), on_change=changes.append)
    first, _ = take(shedder, A, 2)
    first.release()
    first.release()
    assert (shedder.in_flight, shedder.held, changes) == (1, {A: 1}, [1, 1, -1])
    take(shedder, B)


def test_a_party_with_nothing_in_flight_is_forgotten() -> None:
    shedder = Shedder()
    (slot,) = take(shedder, A)
    slot.release()
    assert (shedder.in_flight, dict(shedder.held)) == (0, {})


@pytest.mark.parametrize(("max_in_flight", "share", "busy"), [(1, 1, 1), (2, 1, 2), (3, 1, 3), (64, 32, 48)])
def test_small_bounds_still_give_a_share_of_one_slot_at_least(max_in_flight: int, share: int, busy: int) -> None:
    policy = SheddingPolicy(max_in_flight=max_in_flight)
    assert (policy.share_slots, policy.busy_slots) == (share, busy)


def test_tenants_spend_their_own_share_operators_one_together_and_anonymous_callers_another() -> None:
    tenant = uuid4()
    person = Principal(subject="u1", tenant_id=tenant, practice_ids=None, token_id="t1")
    integration = Principal(subject="i1", tenant_id=tenant, practice_ids=None, token_id="t2")
    assert party(person) == party(integration) == f"tenant:{tenant}"
    assert party(Principal(subject="u1", tenant_id=uuid4(), practice_ids=None, token_id="t3")) != party(person)
    assert party(Operator(subject="op1", token_id="t4")) == party(Operator(subject="op2", token_id="t5")) == OPERATORS
    assert party(None) == ANONYMOUS


def test_the_policy_is_read_from_the_settings_and_a_share_of_nothing_is_refused(tmp_path) -> None:
    key = tmp_path / "public.pem"
    key.write_text("unused")
    given = {
        "service_name": "s",
        "database_url": "postgresql+asyncpg://u:p4ss@h/d",
        "database_schema": "s",
        "kafka_bootstrap_servers": "k:9092",
        "auth_public_key_file": key,
    }
    settings = ServiceSettings(**given, max_requests_in_flight=10, in_flight_tenant_share=0.3, in_flight_busy_from=0.5)
    assert SheddingPolicy.of(settings) == SheddingPolicy(max_in_flight=10, share=0.3, busy_from=0.5)
    assert SheddingPolicy.of(ServiceSettings(**given)) == SheddingPolicy()
    for refused in ({"in_flight_tenant_share": 0}, {"max_requests_in_flight": 0}, {"in_flight_busy_from": 1.5}):
        with pytest.raises(ValidationError):
            ServiceSettings(**given, **refused)
