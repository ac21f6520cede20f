"""Scenario 7 in the projection, on real PostgreSQL through the consumer's batch handler: a claim's family (its
creation, the payer's acceptance, a payment, the payment's reversal (CLP02 22) and the denial that replaced it, as a
posting and as ClaimDenied) in any order leaves the claim as in-order delivery does, no balance below nothing, and
the tenant's money checksum holding. Each example is a tenant of its own, with its in-order twin beside it."""

from collections.abc import Callable
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import httpx
from claimstream_devtools.testing import Keys
from claimstream_platform.contracts import remittance_posting as rp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from projection.repository import ProjectionWork
from projection_postings import classified
from projection_testkit import PRACTICE, Visit, day, deliver, delivery
from test_money_checks import check
from test_projection_reads import get

IDS = {"claim_id", "encounter_id", "external_id", "patient_control_number", "timeline"}


def denied(v: Visit) -> rp.ClaimDenied:
    return rp.ClaimDenied(
        tenant_id=v.tenant,
        practice_id=PRACTICE,
        remittance_id=uuid4(),
        claim_id=v.claim_id,
        patient_control_number="PCN",
        payer_id=v.payer,
        level="claim",
        line_number=None,
        code="90837",
        amount=Decimal(150),
        adjustments=classified(("CO", "50", "150")),
        remarks=[],
        paid_on=None,
    )


def family(v: Visit) -> list[Any]:
    """The claim's events as they happened: paid, then (40 days on, in one 835) taken back and denied."""
    payment = v.posted("100", ("CO", "45", "50"))
    taken_back = [a.model_copy(update={"amount": -a.amount}) for a in payment.adjustments]
    reversal = payment.model_copy(
        update={
            "outcome": "reversed",
            "claim_status": "22",
            "paid": -payment.paid,
            "adjustments": taken_back,
            "remittance_id": uuid4(),
        }
    )
    denial = v.posted("0", ("CO", "50", "150"), outcome="denied", status="4")
    timed = [
        (v.created(), day(1)),
        (v.accepted(), day(2)),
        (payment, day(20)),
        (reversal, day(40)),
        (denial, day(40)),
        (denied(v), day(40)),
    ]
    return [delivery(event, at) for event, at in timed]


async def claim(client: httpx.AsyncClient, auth: dict[str, str], claim_id: UUID) -> dict[str, Any]:
    found = await get(client, auth, f"/v1/claims/{claim_id}")
    return {k: v for k, v in found.items() if k not in IDS} | {"timeline": [e["type"] for e in found["timeline"]]}


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(order=st.permutations(range(6)))  # the six events of `family`
async def test_a_claims_family_in_any_order_converges_with_no_balance_below_nothing(
    make_uow: Callable[[], ProjectionWork], client: httpx.AsyncClient, keys: Keys, order: list[int]
) -> None:
    tenant = uuid4()
    in_order, permuted = Visit(charge="150", tenant=tenant), Visit(charge="150", tenant=tenant)
    await deliver(make_uow, *family(in_order))
    events = family(permuted)
    await deliver(make_uow, *[events[i] for i in order])
    auth = {"Authorization": f"Bearer {keys.issuer.issue(tenant_id=tenant)}"}
    expected, found = await claim(client, auth, in_order.claim_id), await claim(client, auth, permuted.claim_id)
    assert found == expected
    money = {k: Decimal(found[k]) for k in ("paid", "denied", "insurance_balance", "patient_balance", "outstanding")}
    assert money == {"paid": 0, "denied": 150, "insurance_balance": 150, "patient_balance": 0, "outstanding": 150}
    checked = await check(client, auth)
    assert (checked["encounters"], checked["encounters_off"], Decimal(checked["difference"])) == (2, 0, 0)
