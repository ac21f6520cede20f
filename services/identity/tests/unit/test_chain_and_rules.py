"""The access log's chain and the sign-in rules, pure."""

from datetime import UTC, datetime, timedelta
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest
from claimstream_platform.auth import Kind
from claimstream_platform.errors import Forbidden, RuleViolation
from identity.chain import GENESIS, row_hash, walk
from identity.domain import SYSTEM, Account, Actor, invitation_hash, new_invitation_code, wait_before_next

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)
TENANT = uuid4()


def chain(count: int) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    previous = GENESIS
    for seq in range(1, count + 1):
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
        row |= {"previous_hash": previous, "hash": row_hash(previous, row)}
        previous = str(row["hash"])
        rows.append(row)
    return rows


def test_an_intact_chain_walks_to_its_end() -> None:
    found = walk(chain(4))
    assert found.broken is None and found.rows == 4 and found.tenants == 1


def test_a_changed_field_breaks_its_own_row_and_a_rehashed_one_breaks_the_next() -> None:
    rows = chain(4)
    rows[1]["status"] = 403
    assert walk(rows).broken is not None and walk(rows).broken.seq == 2  # type: ignore[union-attr]
    rows[1]["hash"] = row_hash(str(rows[1]["previous_hash"]), rows[1])  # the forger recomputes that row's hash
    assert walk(rows).broken.seq == 3  # type: ignore[union-attr]


def test_the_hash_reads_the_time_in_utc_whatever_its_zone() -> None:
    row = chain(1)[0]
    shifted = row | {"occurred_at": NOW.astimezone(ZoneInfo("America/New_York"))}
    assert row_hash(GENESIS, row) == row_hash(GENESIS, shifted)


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
