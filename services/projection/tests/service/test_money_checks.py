"""The money checksum on real PostgreSQL: the SQL agrees with the fold's own, holds for a tenant's encounters,
and names the encounter whose ledger lost or gained a dollar."""

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import httpx
from claimstream_devtools.testing import Keys
from claimstream_platform.contracts import patient_billing as pb
from projection.checks import checksum
from projection.domain import fold
from projection.repository import ProjectionWork
from projection.tables import ledger
from projection_testkit import PRACTICE, TENANT, Visit, day, deliver, delivery, fact
from sqlalchemy import insert, text


async def check(client: httpx.AsyncClient, auth: dict[str, str], path: str = "/v1/ledger/check") -> Any:
    response = await client.get(path, headers=auth)
    assert response.status_code == 200, response.text
    return response.json()


def _history() -> tuple[list[Visit], list[Any]]:
    """Three visits: paid with the patient's share; denied on one line and written off; denied, then replaced by a
    new original (the replaced claim's receivable is taken over, not doubled)."""
    paid, denied, replaced = Visit(charge="150"), Visit(charge="200"), Visit(charge="120")
    case, replacement = uuid4(), uuid4()
    events = [
        (paid.created(), day(1)),
        (paid.paid_lines((1, "150", "80", [("CO", "45", "40"), ("PR", "2", "30")])), day(20)),
        (denied.created(lines=[("90837", "150"), ("90839", "50")]), day(1)),
        (denied.paid_lines((1, "150", "110", [("CO", "45", "40")]), (2, "50", "0", [("CO", "97", "50")])), day(20)),
        (denied.triaged(case, "bundling", ["CO-97"], "50", line=2), day(21)),
        (denied.resolved(case, "written_off", "50"), day(25)),
        (replaced.created(), day(1)),
        (replaced.paid_lines((1, "120", "0", [("CO", "16", "120")]), outcome="denied"), day(20)),
        (replaced.created(claim_id=replacement, replaces=replaced.claim_id, frequency="1"), day(22)),
    ]
    return [paid, denied, replaced], events


def _of(event: Any, visit: Visit) -> bool:
    """The event concerns the visit: its encounter, or its first claim (postings and cases name the claim only)."""
    return visit.encounter_id == getattr(event, "encounter_id", None) or visit.claim_id == event.claim_id


async def test_the_sql_checksum_agrees_with_the_fold_and_holds(
    make_uow: Callable[[], ProjectionWork], client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    visits, events = _history()
    await deliver(make_uow, *(delivery(event, at) for event, at in events))
    found = await check(client, auth)
    assert (found["encounters"], found["encounters_off"], Decimal(found["difference"])) == (3, 0, 0)
    expected = [checksum(fold(fact(e, at) for e, at in events if _of(e, v))) for v in visits]
    for side in ("charged", "paid", "adjusted", "written_off", "patient", "insurance"):
        assert Decimal(found[side]) == sum((getattr(c, side) for c in expected), Decimal(0)), side
    assert (Decimal(found["charged"]), Decimal(found["insurance"])) == (Decimal(470), Decimal(120))


async def test_a_charge_booked_twice_is_named_with_its_encounter(
    make_uow: Callable[[], ProjectionWork], client: httpx.AsyncClient, auth: dict[str, str], keys: Keys
) -> None:
    visits, events = _history()
    await deliver(make_uow, *(delivery(event, at) for event, at in events))
    broken = visits[0]
    row = {
        "claim_id": broken.claim_id,
        "seq": 99,
        "tenant_id": TENANT,
        "practice_id": PRACTICE,
        "encounter_id": broken.encounter_id,
        "payer_id": broken.payer,
        "service_date": broken.served,
        "at": datetime.now(UTC),
        "party": "insurance",
        "kind": "charge",
        "amount": Decimal("150.00"),
    }
    async with make_uow() as uow:
        await uow.session.execute(insert(ledger).values(row))  # the visit's receivable twice
        await uow.commit()
    found = await check(client, auth)
    assert (found["encounters_off"], [o["encounter_id"] for o in found["off"]]) == (1, [str(broken.encounter_id)])
    one = await check(client, auth, f"/v1/ledger/check/claims/{broken.claim_id}")
    assert Decimal(one["difference"]) == Decimal("-150.00")
    stranger = {"Authorization": f"Bearer {keys.issuer.issue(tenant_id=uuid4())}"}
    assert (await check(client, stranger))["encounters"] == 0
    unseen = await client.get(f"/v1/ledger/check/claims/{broken.claim_id}", headers=stranger)
    assert unseen.status_code == 404


def _moved(event: type[pb.MoneyMoved], account: UUID, standing: tuple[int, int, int], **fields: Any) -> Any:
    """A patient-billing money event of the account, with its standing after it: (sequence, owed, held); the
    visit's share is 30.00 throughout."""
    sequence, owed, held = standing
    after = pb.Standing(sequence=sequence, shares=Decimal(30), owed=Decimal(owed), held=Decimal(held))
    return event(tenant_id=TENANT, practice_id=PRACTICE, account_id=account, **fields, standing=after)


def _patient_money(visit: Visit) -> list[Any]:
    """The patient account of the paid visit: charged its 30.00, paid 50.00 at the desk, the 20.00 over refunded."""
    account, on_visit = uuid4(), {"encounter_id": visit.encounter_id}
    charged = {**on_visit, "service_date": visit.served, "amount": 30, "share": 30}
    paid = {"payment_id": uuid4(), "amount": 50, "method": "cash", "received_on": visit.served, "unapplied": 20}
    return [
        _moved(pb.PatientCharged, account, (1, 30, 0), **charged),
        _moved(pb.PatientPaymentReceived, account, (2, 0, 20), **paid, applied=[pb.Applied(**on_visit, amount=30)]),
        _moved(pb.PatientRefunded, account, (3, 0, 0), refund_id=uuid4(), amount=20, method="check"),
    ]


async def test_the_patients_balance_is_followed_into_their_accounts(
    make_uow: Callable[[], ProjectionWork], client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    visits, events = _history()
    money = _patient_money(visits[0])
    await deliver(make_uow, *(delivery(event, at) for event, at in events), *(delivery(m, day(30)) for m in money))
    patients = (await check(client, auth))["patients"]
    expected = {"share": 30, "billed": 30, "paid": 50, "refunded": 20, "open": 0, "credit": 0, "difference": 0}
    assert {k: Decimal(patients[k]) for k in expected} == expected
    assert (Decimal(patients["unbilled"]), patients["events_missing"]) == (0, 0)
    period = {"from": str(visits[0].served), "to": str(visits[0].served), "as_of": str(day(40).date())}
    found = (await client.get("/v1/kpis", params=period, headers=auth)).json()["kpis"]
    assert Decimal(found["patient_collections"]["value"]) == 30  # the 20.00 over it was refunded
    insurance, both = found["net_collection_rate"], found["net_collection_rate_all_parties"]
    assert Decimal(both["numerator"]) == Decimal(insurance["numerator"]) + 30
    assert Decimal(both["value"]) > Decimal(insurance["value"])


async def test_a_lost_patient_payment_shows_as_a_difference_and_a_gap(
    make_uow: Callable[[], ProjectionWork], client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    visits, events = _history()
    charged, _, refunded = _patient_money(visits[0])
    await deliver(
        make_uow, *(delivery(event, at) for event, at in events), *(delivery(m, day(30)) for m in (charged, refunded))
    )
    patients = (await check(client, auth))["patients"]
    assert (Decimal(patients["difference"]), patients["events_missing"]) == (Decimal(50), 1)


async def test_an_account_older_than_standings_opens_with_its_announced_totals(
    make_uow: Callable[[], ProjectionWork], client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    """Upgraded: its events before standings were kept (a rebuild) or never were; either way its announcement's
    totals stand for them, and they are not counted again."""
    visits, events = _history()
    old = [m.model_copy(update={"standing": None}) for m in _patient_money(visits[0])]
    await deliver(make_uow, *(delivery(event, at) for event, at in events), delivery(old[0], day(30)))
    assert Decimal((await check(client, auth))["patients"]["difference"]) == 30  # what she owes is not known yet
    # numbered 4: its events 1 to 3 were published before the projection kept them, and are no gap
    standing = pb.Standing(sequence=4, shares=Decimal(30), owed=Decimal(0), held=Decimal(0))
    totals = pb.Totals(paid=Decimal(50), refunded=Decimal(20), adjusted=Decimal(0))
    base = {"tenant_id": TENANT, "practice_id": PRACTICE, "account_id": old[0].account_id}
    opening = pb.AccountStandingAnnounced(**base, standing=standing, totals=totals)
    await deliver(make_uow, delivery(opening, day(31)), *(delivery(m, day(30)) for m in old[1:]))
    patients = (await check(client, auth))["patients"]
    expected = {"billed": 30, "paid": 50, "refunded": 20, "open": 0, "credit": 0, "difference": 0, "unbilled": 0}
    assert {k: Decimal(patients[k]) for k in expected} == expected
    assert patients["events_missing"] == 0


def _paid_forgiven_refunded(visit: Visit) -> list[Any]:
    """She pays 50.00 on a visit that leaves her 30.00, the practice forgives 10.00 of it, and the 30.00 over is
    refunded from the visit."""
    account, on_visit = uuid4(), {"encounter_id": visit.encounter_id}
    charged = {**on_visit, "service_date": visit.served, "amount": 30, "share": 30}
    paid = {"payment_id": uuid4(), "amount": 50, "method": "cash", "received_on": visit.served, "unapplied": 0}
    forgiven = {**on_visit, "adjustment_id": uuid4(), "kind": "hardship", "amount": 10, "approved_by": "b-1"}
    back = [pb.Applied(**on_visit, amount=30)]
    return [
        _moved(pb.PatientCharged, account, (1, 30, 0), **charged),
        _moved(pb.PatientPaymentReceived, account, (2, 0, 20), **paid, applied=[pb.Applied(**on_visit, amount=50)]),
        _moved(pb.PatientAdjusted, account, (3, 0, 30), **forgiven),
        _moved(pb.PatientRefunded, account, (4, 0, 0), refund_id=uuid4(), amount=30, method="check", taken_from=back),
    ]


async def test_patient_collections_count_a_dollar_once_where_it_ended(
    make_uow: Callable[[], ProjectionWork], client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    """What she paid toward the visit is 20.00: 50.00 less the 30.00 refunded, within the 20.00 left to her."""
    visits, events = _history()
    visit, money = visits[0], _paid_forgiven_refunded(visits[0])
    await deliver(make_uow, *(delivery(event, at) for event, at in events), *(delivery(m, day(30)) for m in money))
    assert Decimal((await check(client, auth))["patients"]["difference"]) == 0
    period = {"from": str(visit.served), "to": str(visit.served), "as_of": str(day(40).date())}
    found = (await client.get("/v1/kpis", params=period, headers=auth)).json()["kpis"]
    assert Decimal(found["patient_collections"]["value"]) == 20


async def test_the_checks_reads_share_one_snapshot(make_uow: Callable[[], ProjectionWork]) -> None:
    """The ledger's sums, the accounts' events and their standings are read in one REPEATABLE READ transaction, so
    a batch committed between them cannot make them disagree; the connection goes back to the pool as it was."""
    async with make_uow() as uow:
        await uow.one_snapshot()
        assert await uow.session.scalar(text("SHOW transaction_isolation")) == "repeatable read"
    async with make_uow() as uow:
        assert await uow.session.scalar(text("SHOW transaction_isolation")) == "read committed"
