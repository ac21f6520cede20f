"""The access log's chain and the sign-in rules, pure."""

from datetime import UTC, datetime, timedelta
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest
from claimstream_platform.auth import Kind
from claimstream_platform.errors import Forbidden, RuleViolation
from identity.audit_keys import AuditRing, new_key_line
from identity.chain import GENESIS, row_hash, unkeyed_hash, walk
from identity.domain import SYSTEM, Account, Actor, invitation_hash, new_invitation_code, wait_before_next

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)
TENANT = uuid4()
OLD, NEW = (AuditRing.parse(new_key_line()).current for _ in range(2))
RING = AuditRing((OLD,))


def chain(count: int, ring: AuditRing = RING) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    previous = GENESIS
    for seq in range(1, count + 1):
        key = ring.current
        row: dict[str, object] = {
            "tenant_id": TENANT,
            "seq": seq,
            "access_id": uuid4(),
            "occurred_at": NOW,
            "service": "x",
            "actor": "person:1",
            "actor_kind": "person",
            "audit": "phi",
            "action": "GET /v1/claims/{claim_id}",
            "resource": {"claim_id": "c"},
            "status": 200,
            "client": None,
            "correlation_id": None,
        }
        row |= {"key_id": key.id, "previous_hash": previous, "hash": row_hash(key, previous, row)}
        previous = str(row["hash"])
        rows.append(row)
    return rows


def test_an_intact_chain_walks_to_its_end() -> None:
    found = walk(RING, chain(4))
    assert found.broken is None and found.rows == 4 and found.tenants == 1 and found.by_key == {OLD.id: 4}


def test_a_changed_field_breaks_its_own_row_and_a_rehashed_one_breaks_the_next() -> None:
    rows = chain(4)
    rows[1]["status"] = 403
    assert walk(RING, rows).broken is not None and walk(RING, rows).broken.seq == 2  # type: ignore[union-attr]
    rows[1]["hash"] = row_hash(OLD, str(rows[1]["previous_hash"]), rows[1])  # whoever holds the key
    assert walk(RING, rows).broken.seq == 3  # type: ignore[union-attr]


def test_a_row_hashed_without_the_key_or_with_another_key_does_not_verify() -> None:
    rows = chain(3)
    forged = rows[2] | {"hash": unkeyed_hash(str(rows[2]["previous_hash"]), rows[2])}  # the chain's formula before
    assert walk(RING, [*rows[:2], forged]).broken.reason == "its content does not match its hash"  # type: ignore[union-attr]
    other = rows[2] | {"key_id": NEW.id, "hash": row_hash(NEW, str(rows[2]["previous_hash"]), rows[2])}
    assert "not in the ring" in walk(RING, [*rows[:2], other]).broken.reason  # type: ignore[union-attr]
    relabelled = rows[2] | {"key_id": NEW.id}  # a row of the old key said to be the new one's
    assert walk(AuditRing((NEW, OLD)), [*rows[:2], relabelled]).broken.seq == 3  # type: ignore[union-attr]


def test_after_a_rotation_the_ring_verifies_the_rows_of_every_key_it_holds() -> None:
    rows = chain(2)
    rotated = AuditRing((NEW, OLD))
    third = dict(rows[1]) | {"seq": 3, "access_id": uuid4(), "previous_hash": rows[1]["hash"], "key_id": NEW.id}
    third["hash"] = row_hash(NEW, str(third["previous_hash"]), third)
    found = walk(rotated, [*rows, third])
    assert found.broken is None and found.by_key == {OLD.id: 2, NEW.id: 1}
    assert walk(AuditRing((NEW,)), [*rows, third]).broken.seq == 1  # type: ignore[union-attr]


def test_a_ring_is_keys_of_32_bytes_in_hex_one_per_line() -> None:
    ring = AuditRing.parse(f"# newest first\n{new_key_line()}\n{new_key_line()}")
    assert len(ring.keys) == 2 and ring.current == ring.keys[0] and len(ring.current.id) == 16
    assert ring.current.secret.hex() not in repr(ring)
    for bad in ("", "zz" * 32, "ab" * 16):
        with pytest.raises(ValueError):
            AuditRing.parse(bad)


def test_the_hash_reads_the_time_in_utc_whatever_its_zone() -> None:
    row = chain(1)[0]
    shifted = row | {"occurred_at": NOW.astimezone(ZoneInfo("America/New_York"))}
    assert row_hash(OLD, GENESIS, row) == row_hash(OLD, GENESIS, shifted)


def test_failures_wait_only_after_the_free_ones_and_double_up_to_a_bound() -> None:
    assert wait_before_next(4, NOW, NOW) == timedelta(0)
    assert wait_before_next(5, NOW, NOW) == timedelta(seconds=1)
    assert wait_before_next(8, NOW, NOW) == timedelta(seconds=8)
    assert wait_before_next(40, NOW, NOW) == timedelta(minutes=15)
    assert wait_before_next(8, NOW, NOW + timedelta(seconds=3)) == timedelta(seconds=5)
    assert wait_before_next(40, NOW, NOW + timedelta(hours=2)) == timedelta(0)


def test_an_invitation_code_is_kept_only_as_its_hash() -> None:
    code, kept = new_invitation_code()
    assert len(code) >= 32 and kept == invitation_hash(code) and code not in kept


def test_an_account_records_each_change_and_refuses_its_admin_disabling_themselves() -> None:
    account = Account.invite(TENANT, " Dana@Example.org ", "Dana", frozenset({"biller"}), None, SYSTEM)
    assert account.email == "dana@example.org" and account.kind is Kind.PERSON and not account.enabled
    account.accept("argon2-hash")
    with pytest.raises(Forbidden):
        account.disable(Actor(account.subject, "person"), NOW)
    with pytest.raises(RuleViolation):
        account.set_access(frozenset(), None, SYSTEM)
    account.disable(SYSTEM, NOW)
    events = account.take_events()
    assert [e.action for e in events] == [
        "POST /v1/users",
        "POST /v1/invitations/accept",
        "POST /v1/users/{user_id}/disable",
    ]
    assert {e.tenant_id for e in events} == {TENANT} and events[0].resource == {"user_id": str(account.id)}
