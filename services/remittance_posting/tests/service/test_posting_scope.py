"""What a posting reaches, on real PostgreSQL: a reversal takes back only the posting it names, a payer's claim
number matches only that payer's claims of one tenant, and the postings API says why a claim was paid short."""

from collections.abc import Callable
from decimal import Decimal
from uuid import uuid4

import httpx
from claimstream_platform.db import UnitOfWork
from remittance_posting import handlers
from remittance_testkit import Line, Payment, claim_created, era
from sqlalchemy import text
from test_remittance_api import accept, announce, postings, upload


async def test_a_crossover_payers_reversal_takes_back_its_own_payment_and_not_the_primarys(
    client: httpx.AsyncClient, auth: dict[str, str], make_uow: Callable[[], UnitOfWork]
) -> None:
    created = claim_created("CS0000000201")
    await announce(make_uow, created)
    await upload(client, auth, era(Payment("CS0000000201"), trace="P1"))  # the billed payer, SIMCOM
    by_medicaid = Payment(
        "CS0000000201", status="2", payer_claim_number="MCD77", lines=[Line(adjustments=[("OA", "23", Decimal("160"))])]
    )
    await upload(client, auth, era(by_medicaid, trace="X1", payer_id="SIMMCD"))
    reversed_line = Line(charge=Decimal("-180"), adjustments=[("OA", "23", Decimal("-160"))])
    taken_back = Payment("CS0000000201", status="22", payer_claim_number="MCD77", lines=[reversed_line])
    await upload(client, auth, era(taken_back, trace="X2", payer_id="SIMMCD"))
    found = await postings(client, auth, created.claim_id)
    assert [(p["claim_status"], p["state"], p["paid"]) for p in found] == [
        ("1", "posted", "140.00"),  # the primary's payment stands
        ("2", "reversed", "20.00"),
        ("22", "posted", "-20.00"),
    ]
    payer_of_reversal = text(
        "SELECT convert_from(payload, 'UTF8')::json->>'payer_id' FROM outbox "
        "WHERE event_type = 'claimstream.claim.reversed.v1'"
    )
    async with make_uow() as uow:
        payers = list(await uow.session.scalars(payer_of_reversal))
    assert payers == ["SIMMCD"]


async def test_a_payer_claim_number_matches_only_that_payers_claims_and_only_one_tenants(
    make_uow: Callable[[], UnitOfWork],
) -> None:
    ours, theirs = claim_created("CS0000000211"), claim_created("CS0000000212", tenant=uuid4())
    medicaid = claim_created("CS0000000213").model_copy(update={"payer_id": "SIMMCD"})
    await announce(make_uow, ours, theirs, medicaid)
    await accept(make_uow, ours, "SHARED1")
    await accept(make_uow, theirs, "SHARED1")  # another tenant's claim numbered alike by the payer
    await accept(make_uow, medicaid, "MCD1")
    body = era(
        Payment("UNKNOWN1", payer_claim_number="SHARED1"),  # CLP01 unknown: only CLP07 could match
        Payment("UNKNOWN2", payer_claim_number="MCD1"),  # another payer's number
        trace="SCOPE1",
    )
    async with make_uow() as uow:
        await handlers.receive(uow, body, source="inbox:scope", tenant_id=None)
        await uow.commit()
        query = "SELECT patient_control_number, state, claim_id FROM claim_payments ORDER BY patient_control_number"
        rows = (await uow.session.execute(text(query))).all()
    assert [(r.patient_control_number, r.state, r.claim_id) for r in rows] == [
        ("UNKNOWN1", "unmatched", None),
        ("UNKNOWN2", "unmatched", None),
    ]


async def test_the_postings_api_shows_each_lines_adjustments_with_their_class_and_remarks(
    client: httpx.AsyncClient, auth: dict[str, str], make_uow: Callable[[], UnitOfWork]
) -> None:
    created = claim_created("CS0000000221", lines=(("90837", ("95",)), ("90839", ())))
    await announce(make_uow, created)
    deductible = Line(adjustments=[("CO", "45", Decimal("40")), ("PR", "1", Decimal("100"))])
    bundled = Line(
        code="90839", modifiers=(), charge=Decimal("50"), adjustments=[("CO", "97", Decimal("50"))], remarks=("M80",)
    )
    payment = Payment("CS0000000221", lines=[deductible, bundled])
    await upload(client, auth, era(payment, trace="WHY1"))
    (posting,) = await postings(client, auth, created.claim_id)
    first, second = posting["lines"]
    assert posting["outcome"] == "partially_paid"
    assert [(a["group"], a["reason"], a["amount"], a["adjustment_class"]) for a in first["adjustments"]] == [
        ("CO", "45", "40.00", "contractual"),
        ("PR", "1", "100.00", "patient_cost_share"),
    ]
    assert (second["line_number"], second["remarks"], second["adjustments"][0]["adjustment_class"]) == (
        2,
        ["M80"],
        "denial",
    )
