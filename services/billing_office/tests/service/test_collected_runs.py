"""The consumer's runs on real PostgreSQL: one batch of a month's money and per-item events stores each collection
once, with its party, kind and sign, counts a claim announced twice once, and leaves out money of no practice and a
PLB that moves no collection."""

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from uuid import uuid4

from billing_office.repository import BillingOfficeWork
from billing_office.tables import billable_items, collections
from billing_office_testkit import OWNER, TENANT, consume, insurance_paid, patient_paid, patient_refunded, plb
from claimstream_platform.contracts import patient_billing as patients
from claimstream_platform.contracts.claim_submission import ClaimSubmitted
from sqlalchemy import select

D = Decimal
DAY = date(2026, 3, 12)  # no other test's month


def _claim_sent(claim_id: object, on: date | None = DAY) -> ClaimSubmitted:
    fields = {"claim_id": claim_id, "encounter_id": uuid4(), "patient_control_number": "PCN1"}
    return ClaimSubmitted(**OWNER, **fields, interchange_control_number="000000001", submitted_on=on)


def _statement_issued() -> patients.StatementIssued:
    asked = {"statement_id": uuid4(), "issued_on": DAY, "due_on": DAY, "amount_due": D("40.00"), "stage": "first"}
    return patients.StatementIssued(**OWNER, account_id=uuid4(), **asked, delivery="email", encounter_ids=[])


async def test_one_batch_stores_each_collection_and_counts_each_item_once(
    make_uow: Callable[[], BillingOfficeWork],
) -> None:
    claim = uuid4()
    no_practice = insurance_paid("75.00", DAY).model_copy(update={"practice_id": None})
    await consume(
        make_uow,
        insurance_paid("300.00", DAY),
        _claim_sent(claim),
        insurance_paid("-20.00", DAY),  # a reversal
        _claim_sent(claim),  # announced again: counted once
        _claim_sent(uuid4(), on=None),  # from before the day was carried: no month, not counted
        plb("12.00", "recoupment", DAY),
        plb("5.00", "forwarding", DAY),  # moves no collection
        patient_paid("60.00", DAY),
        patient_refunded("10.00", DAY),
        no_practice,
        _statement_issued(),
        together=True,
    )
    async with make_uow() as uow:
        stored = (
            await uow.session.execute(
                select(collections).where(collections.c.tenant_id == TENANT, collections.c.collected_on == DAY)
            )
        ).all()
        counted = (
            await uow.session.execute(
                select(billable_items).where(billable_items.c.tenant_id == TENANT, billable_items.c.counted_on == DAY)
            )
        ).all()
    assert sorted((row.party, row.kind, row.amount) for row in stored) == [
        ("insurance", "payment", D("300.00")),
        ("insurance", "recoupment", D("-12.00")),
        ("insurance", "reversal", D("-20.00")),
        ("patient", "payment", D("60.00")),
        ("patient", "refund", D("-10.00")),
    ]
    assert sorted((row.kind, row.counted_on) for row in counted) == [("claim", DAY), ("statement", DAY)]
