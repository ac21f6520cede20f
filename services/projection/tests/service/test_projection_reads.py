"""The projection on real PostgreSQL: a claim with its amounts and timeline, a duplicate that changes nothing,
out-of-order arrival converging, aging and KPIs against hand-computed values and as of past dates, and every
route scoped to its tenant."""

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import uuid4

import httpx
from claimstream_devtools.testing import Keys
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from projection.repository import ProjectionWork
from projection_testkit import OTHER_TENANT, PRACTICE, Visit, day, deliver, delivery


async def get(client: httpx.AsyncClient, auth: dict[str, str], path: str, **query: Any) -> Any:
    response = await client.get(path, params=query, headers=auth)
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_claim_shows_its_amounts_and_the_timeline_of_every_event_with_its_source(
    make_uow: Callable[[], ProjectionWork], client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    v = Visit(charge="150")
    await deliver(
        make_uow,
        delivery(v.received(), day(0)),
        delivery(v.created(), day(1)),
        delivery(v.submitted(), day(1, 13)),
        delivery(v.accepted(), day(2)),
        delivery(v.posted("80", ("CO", "45", "40"), ("PR", "2", "30")), day(20)),
    )
    claim = await get(client, auth, f"/v1/claims/{v.claim_id}")
    assert (claim["status"], claim["external_id"]) == ("paid", f"EHR-{str(v.encounter_id)[:8]}")
    money = {k: Decimal(claim[k]) for k in ("charged", "paid", "contractual", "patient_responsibility", "outstanding")}
    assert money == {"charged": 150, "paid": 80, "contractual": 40, "patient_responsibility": 30, "outstanding": 30}
    assert [e["type"] for e in claim["timeline"]] == [
        "encounter.received",
        "claim.created",
        "claim.submitted",
        "claim.accepted",
        "payment.posted",
    ]
    assert {e["source"] for e in claim["timeline"]} == {"test"}
    (listed,) = (
        await get(
            client,
            auth,
            "/v1/claims",
            practice_id=str(PRACTICE),
            status="paid",
            encounter_external_id=claim["external_id"],
        )
    )["items"]
    assert listed["claim_id"] == str(v.claim_id)


async def test_a_duplicate_event_changes_nothing(
    make_uow: Callable[[], ProjectionWork], client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    v = Visit(charge="150")
    payment = delivery(v.posted("100", ("CO", "45", "50")), day(20))
    await deliver(make_uow, delivery(v.created(), day(1)), payment)
    before = await get(client, auth, f"/v1/claims/{v.claim_id}")
    await deliver(make_uow, payment, payment)  # redelivered, twice
    await deliver(make_uow, payment, payment, together=True)  # and twice in one batch
    assert await get(client, auth, f"/v1/claims/{v.claim_id}") == before
    assert Decimal(before["paid"]) == 100


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(order=st.permutations(range(7)))  # the seven events below
async def test_any_arrival_order_converges_to_the_in_order_state(
    make_uow: Callable[[], ProjectionWork], client: httpx.AsyncClient, keys: Keys, order: list[int]
) -> None:
    tenant = uuid4()  # a tenant per example: the schema lives for the whole test
    v = Visit(charge="150", tenant=tenant, encounter_id=uuid4(), claim_id=uuid4())
    case = uuid4()
    items = [
        delivery(v.received(), day(0)),
        delivery(v.created(), day(1)),
        delivery(v.submitted(), day(1, 13)),
        delivery(v.accepted(), day(2)),
        delivery(v.posted("60", ("CO", "45", "30"), ("CO", "97", "60")), day(20)),
        delivery(v.triaged(case, "coding", ["CO-97"], "60"), day(20, 13)),
        delivery(v.resolved(case, "written_off", "60"), day(30)),
    ]
    await deliver(make_uow, *[items[i] for i in order])
    auth = {"Authorization": f"Bearer {keys.issuer.issue(tenant_id=tenant)}"}
    claim = await get(client, auth, f"/v1/claims/{v.claim_id}")
    assert (claim["status"], Decimal(claim["outstanding"]), Decimal(claim["written_off"])) == ("paid", 0, 60)
    assert len(claim["timeline"]) == len(items)
    aging = await get(client, auth, "/v1/ar/aging", as_of="2026-10-25")  # before the write-off
    assert Decimal(aging["total"]["total"]) == 60


async def test_aging_buckets_and_as_of_answers_are_what_the_model_held_that_day(
    make_uow: Callable[[], ProjectionWork], client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    young, old = Visit(charge="100", served=date(2026, 11, 20)), Visit(charge="200", served=date(2026, 8, 5))
    await deliver(
        make_uow,
        delivery(young.created(), day(50)),
        delivery(old.created(), day(-56)),
        delivery(old.captured(), day(-57)),
    )
    as_of = "2026-12-01"
    aging = await get(client, auth, "/v1/ar/aging", as_of=as_of, by="payer")
    (row,) = aging["rows"]
    assert (Decimal(row["d0_30"]), Decimal(row["d91_120"]), Decimal(row["total"])) == (100, 200, 300)  # 11 and 118 days
    before = await get(client, auth, "/v1/ar/aging", as_of=as_of, by="provider")
    await deliver(make_uow, delivery(old.posted("150", ("CO", "45", "20"), ("PR", "3", "30")), day(62)))
    assert await get(client, auth, "/v1/ar/aging", as_of=as_of, by="provider") == before  # later events unseen
    after = await get(client, auth, "/v1/ar/aging", as_of="2026-12-05", by="patient")
    assert (Decimal(after["total"]["total"]), after["rows"][0]["key"]) == (30, "P-1")
    balances = await get(client, auth, "/v1/balances/patients", as_of="2026-12-05")
    assert [(b["patient_ref"], Decimal(b["balance"])) for b in balances["items"]] == [("P-1", 30)]


async def test_kpis_reproduce_hand_computed_values_and_drill_down_to_their_claims(
    make_uow: Callable[[], ProjectionWork], client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    clean, rejected, denied = Visit(charge="100"), Visit(charge="100"), Visit(charge="200")
    await deliver(
        make_uow,
        *[
            delivery(e, t)
            for v in (clean, rejected, denied)
            for e, t in ((v.created(), day(2)), (v.submitted(), day(3)))
        ],
    )
    await deliver(
        make_uow,
        delivery(rejected.rejected(), day(4)),
        delivery(clean.accepted(), day(4)),
        delivery(denied.accepted(), day(4)),
        delivery(clean.posted("70", ("CO", "45", "20"), ("PR", "3", "10")), day(17)),
        delivery(denied.posted("0", ("CO", "50", "200"), outcome="denied"), day(24)),
    )
    report = await get(client, auth, "/v1/kpis", **{"from": "2026-10-01", "to": "2026-10-30", "as_of": "2026-11-30"})
    k = {name: (v["value"], v["numerator"], v["denominator"]) for name, v in report["kpis"].items()}
    assert k["clean_claim_rate"] == ("0.6667", "2", "3")
    assert k["denial_rate"] == ("0.5000", "1", "2") and k["first_pass_resolution_rate"] == ("0.5000", "1", "2")
    assert k["denial_rate_dollars"][0] == "0.6667"  # 200 of 300 adjudicated
    assert k["gross_collection_rate"][0] == "0.1750"  # 70 / 400
    assert k["net_collection_rate"][0] == "0.1842"  # 70 / (400 - 20)
    assert k["charge_lag_days"][0] == "3.0" and k["submission_to_payment_days"][0] == "14.0"
    assert k["days_in_ar"][0] == "23.3"  # open 310 (100 rejected, 200 denied, 10 the patient's) / (400 / 30)
    early = await get(client, auth, "/v1/kpis", **{"from": "2026-10-01", "to": "2026-10-30", "as_of": "2026-10-10"})
    assert early["kpis"]["denial_rate"]["denominator"] == "0"  # nothing adjudicated yet on that day
    drill = await get(
        client,
        auth,
        "/v1/kpis/claims",
        kpi="denial_rate",
        part="numerator",
        **{"from": "2026-10-01", "to": "2026-10-30", "as_of": "2026-11-30"},
    )
    assert [c["claim_id"] for c in drill["items"]] == [str(denied.claim_id)]


async def test_every_route_is_scoped_to_its_tenant(
    make_uow: Callable[[], ProjectionWork], client: httpx.AsyncClient, auth: dict[str, str], keys: Keys
) -> None:
    theirs = Visit(charge="500", tenant=OTHER_TENANT)
    case = uuid4()
    await deliver(
        make_uow,
        delivery(theirs.created(), day(1)),
        delivery(theirs.posted("0", ("CO", "197", "500"), outcome="denied"), day(9)),
        delivery(theirs.triaged(case, "authorization", ["CO-197"], "500"), day(9, 13)),
    )
    assert (await client.get(f"/v1/claims/{theirs.claim_id}", headers=auth)).status_code == 404
    window = {"from": "2026-10-01", "to": "2026-10-31", "as_of": "2026-11-30"}
    assert (await get(client, auth, "/v1/claims"))["items"] == []
    assert (await get(client, auth, "/v1/ar/aging", as_of="2026-11-30"))["rows"] == []
    assert (await get(client, auth, "/v1/balances/patients", as_of="2026-11-30"))["items"] == []
    assert (await get(client, auth, "/v1/kpis", **window))["kpis"]["denial_rate"]["denominator"] == "0"
    assert await get(client, auth, "/v1/denials/analytics", **window) == []
    assert (await get(client, auth, "/v1/kpis/claims", kpi="denial_rate", **window))["items"] == []
    theirs_auth = {"Authorization": f"Bearer {keys.issuer.issue(tenant_id=OTHER_TENANT)}"}
    (row,) = await get(client, theirs_auth, "/v1/denials/analytics", **window)
    assert (row["key"], row["cases"], Decimal(row["amount"])) == ("authorization", 1, 500)
    await deliver(make_uow, delivery(theirs.accepted(), datetime.now(UTC)))  # counted in this minute
    mine = await get(client, auth, "/v1/stream/health")
    assert (mine["per_minute"], mine["consumer_lag"], mine["dead_letters"]) == ([], None, {})  # the broker: operators
    (rate,) = (await get(client, theirs_auth, "/v1/stream/health"))["per_minute"]
    assert (rate["topic"], rate["event_type"], rate["count"]) == (
        "claim-submission.v1",
        theirs.accepted().event_type,
        1,
    )
    foreign = uuid4()
    assert (await client.get("/v1/claims", params={"practice_id": str(foreign)}, headers=auth)).status_code == 200
    assert (await client.get("/v1/claims", headers={})).status_code == 401
