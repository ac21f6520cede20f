"""The projection's reports page the collections they carry (claimstream_platform.paging): A/R aging's rows (one
per patient, by patient) page by key with the total of them all on every page, and the money check's encounters
off page from the largest difference to the smallest. A page over the cap is refused naming `limit`."""

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal

import httpx
from claimstream_devtools.pages import assert_foreign_cursor_refused, assert_limit_capped, every_page
from projection.repository import ProjectionWork
from projection.tables import ledger
from projection_testkit import PRACTICE, TENANT, Visit, day, deliver, delivery
from sqlalchemy import insert

PAYERS = ("PAYER-A", "PAYER-B", "PAYER-C")


async def test_aging_rows_page_by_key_and_the_total_is_of_them_all(
    make_uow: Callable[[], ProjectionWork], client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    visits = [Visit(charge=charge, payer=payer) for payer, charge in zip(PAYERS, ("100", "200", "300"), strict=True)]
    await deliver(make_uow, *(delivery(v.created(), day(1)) for v in visits))
    params = {"by": "payer", "as_of": "2026-12-01"}
    pages = await every_page(client, "/v1/ar/aging", auth, limit=2, params=params, items_field="rows")
    assert [[row["key"] for row in page] for page in pages] == [["PAYER-A", "PAYER-B"], ["PAYER-C"]]
    first = (await client.get("/v1/ar/aging", params={**params, "limit": 1}, headers=auth)).json()
    assert (len(first["rows"]), Decimal(first["total"]["total"]), first["total"]["claims"]) == (1, 600, 3)
    await assert_limit_capped(client, "/v1/ar/aging", auth, params)
    await assert_foreign_cursor_refused(client, "/v1/ar/aging", auth, params)


async def test_the_encounters_off_page_from_the_largest_difference(
    make_uow: Callable[[], ProjectionWork], client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    visits = [Visit(charge="150") for _ in range(3)]
    await deliver(make_uow, *(delivery(v.created(), day(1)) for v in visits))
    async with make_uow() as uow:  # each visit's receivable booked again, off by its own amount
        for n, (visit, amount) in enumerate(zip(visits, ("20.00", "50.00", "10.00"), strict=True)):
            row = {
                "claim_id": visit.claim_id,
                "seq": 90 + n,
                "tenant_id": TENANT,
                "practice_id": PRACTICE,
                "encounter_id": visit.encounter_id,
                "payer_id": visit.payer,
                "service_date": visit.served,
                "at": datetime.now(UTC),
                "party": "insurance",
                "kind": "charge",
                "amount": Decimal(amount),
            }
            await uow.session.execute(insert(ledger).values(row))
        await uow.commit()
    pages = await every_page(
        client, "/v1/ledger/check", auth, limit=2, items_field="off", cursor_field="off_next_cursor"
    )
    largest_first = [str(visits[n].encounter_id) for n in (1, 0, 2)]
    assert [[o["encounter_id"] for o in page] for page in pages] == [largest_first[:2], largest_first[2:]]
    await assert_limit_capped(client, "/v1/ledger/check", auth)
    await assert_foreign_cursor_refused(client, "/v1/ledger/check", auth)


async def test_patient_balances_page_by_patient_to_the_last(
    make_uow: Callable[[], ProjectionWork], client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    visits = [Visit(charge="150", patient=f"P-{n}") for n in range(3)]
    for v in visits:
        paid = v.posted("80", ("CO", "45", "40"), ("PR", "2", "30"))  # the patient owes 30
        await deliver(make_uow, delivery(v.captured(), day(0)), delivery(v.created(), day(1)), delivery(paid, day(20)))
    params = {"as_of": "2027-06-30"}
    pages = await every_page(client, "/v1/balances/patients", auth, limit=2, params=params)
    assert [[b["patient_ref"] for b in page] for page in pages] == [["P-0", "P-1"], ["P-2"]]
    await assert_limit_capped(client, "/v1/balances/patients", auth, params)
    await assert_foreign_cursor_refused(client, "/v1/balances/patients", auth, params)
