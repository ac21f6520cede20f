"""Remittance posting's lists page (claimstream_platform.paging): a remittance embeds only the first page of its
claim payments and `.../payments` pages on; the exceptions queue, a claim's postings, the provider ledger, the
recoupments, the variance items, the silent payers and the contract rates page on to their last row. A page over
the cap is refused naming `limit`."""

from collections.abc import Callable
from decimal import Decimal

import httpx
from claimstream_devtools.pages import assert_foreign_cursor_refused, assert_limit_capped, every_page
from claimstream_devtools.testing import Keys
from claimstream_platform.db import UnitOfWork
from claimstream_platform.paging import EMBEDDED
from remittance_testkit import PRACTICE, TENANT, Line, Payment, claim_created, era
from sqlalchemy import text
from test_remittance_api import accept, announce, upload

UNMATCHED = [f"NOSUCH{n:04d}" for n in range(EMBEDDED + 5)]  # an 835 paying more claims than a remittance embeds


def _reversal(pcn: str) -> Payment:
    return Payment(pcn, status="22", lines=[Line(charge=Decimal("-180"), adjustments=[("CO", "45", Decimal("-40"))])])


async def test_a_remittance_embeds_its_first_payments_and_the_queue_pages_to_the_last(
    client: httpx.AsyncClient, auth: dict[str, str], keys: Keys
) -> None:
    (remittance,) = (await upload(client, auth, era(*[Payment(pcn) for pcn in UNMATCHED])))["remittances"]
    path = f"/v1/remittances/{remittance['id']}"
    detail = (await client.get(path, headers=auth)).json()
    embedded = [p["patient_control_number"] for p in detail["payments"]]
    params = {"cursor": detail["payments_next_cursor"]}
    rest = (await client.get(f"{path}/payments", params=params, headers=auth)).json()
    assert len(embedded) == EMBEDDED and rest["next_cursor"] is None
    assert sorted(embedded + [p["patient_control_number"] for p in rest["items"]]) == UNMATCHED  # each once
    for listing in (f"{path}/payments", "/v1/remittances/exceptions"):
        pages = await every_page(client, listing, auth, limit=20)
        assert [len(page) for page in pages] == [20, 20, len(UNMATCHED) - 40]
        assert sorted(p["patient_control_number"] for page in pages for p in page) == UNMATCHED  # every one
        await assert_limit_capped(client, listing, auth)
        await assert_foreign_cursor_refused(client, listing, auth)
    operator = {"Authorization": f"Bearer {keys.issuer.issue_operator(subject='operator:ana')}"}
    pages = await every_page(client, "/v1/remittances/exceptions", operator, limit=EMBEDDED)
    assert sorted(p["patient_control_number"] for page in pages for p in page) == UNMATCHED


async def test_a_claims_postings_page_oldest_first_to_the_last(
    client: httpx.AsyncClient, auth: dict[str, str], make_uow: Callable[[], UnitOfWork]
) -> None:
    created = claim_created("CS0000000401")
    await announce(make_uow, created)
    await upload(client, auth, era(Payment("CS0000000401"), trace="PG1"))
    await upload(client, auth, era(_reversal("CS0000000401"), Payment("CS0000000401"), trace="PG2"))
    path = f"/v1/claims/{created.claim_id}/postings"
    pages = await every_page(client, path, auth, limit=1)
    assert [[(p["claim_status"], p["state"]) for p in page] for page in pages] == [
        [("1", "reversed")],
        [("22", "posted")],
        [("1", "posted")],
    ]
    await assert_limit_capped(client, path, auth)


async def test_the_provider_ledger_and_the_recoupments_page_latest_first_to_the_oldest(
    client: httpx.AsyncClient, auth: dict[str, str], make_uow: Callable[[], UnitOfWork]
) -> None:
    claims = [claim_created(f"CS000000041{n}") for n in range(3)]
    await announce(make_uow, *claims)
    for n, created in enumerate(claims):
        await accept(make_uow, created, f"SIMCOM041{n}")
        plb = (("WO", f"SIMCOM041{n}", Decimal("10")),)
        await upload(client, auth, era(Payment(created.patient_control_number), trace=f"LG{n}", plb=plb))
        await upload(client, auth, era(_reversal(created.patient_control_number), trace=f"RV{n}"))
    ledger = await every_page(client, "/v1/provider-adjustments", auth, limit=2)
    assert [[e["reference"] for e in page] for page in ledger] == [["SIMCOM0412", "SIMCOM0411"], ["SIMCOM0410"]]
    recovered = await every_page(client, "/v1/recoupments/provider-level", auth, limit=2)
    assert [[t["reference"] for t in page] for page in recovered] == [["SIMCOM0412", "SIMCOM0411"], ["SIMCOM0410"]]
    reversals = await every_page(client, "/v1/recoupments/reversals", auth, limit=2)
    newest_first = [str(c.claim_id) for c in reversed(claims)]
    assert [[r["claim_id"] for r in page] for page in reversals] == [newest_first[:2], newest_first[2:]]
    both = (await client.get("/v1/recoupments", headers=auth)).json()
    assert (len(both["provider_level"]), both["provider_level_next_cursor"]) == (3, None)
    assert (len(both["reversals"]), both["reversals_next_cursor"]) == (3, None)
    for listing in ("/v1/provider-adjustments", "/v1/recoupments/provider-level", "/v1/recoupments/reversals"):
        await assert_limit_capped(client, listing, auth)
        await assert_foreign_cursor_refused(client, listing, auth)


async def test_variances_silences_and_contract_rates_page_to_the_last(
    client: httpx.AsyncClient, auth: dict[str, str], make_uow: Callable[[], UnitOfWork]
) -> None:
    async with make_uow() as uow:
        for n in range(3):
            await uow.session.execute(
                text(
                    "INSERT INTO payer_silences (tenant_id, payer_id, claims_waiting, oldest_accepted_on, ended_at)"
                    " VALUES (:t, :p, 1, '2026-01-01', now())"
                ),
                {"t": TENANT, "p": f"SILENT{n}"},
            )
        await uow.commit()
    silences = await every_page(client, "/v1/payer-silence", auth, limit=2)
    assert [[s["payer_id"] for s in page] for page in silences] == [["SILENT2", "SILENT1"], ["SILENT0"]]
    for year in (2025, 2026):
        rates = [{"code": code, "amount": "100.00"} for code in ("90791", "90834", "90837")]
        body = {"practice_id": str(PRACTICE), "effective_from": f"{year}-01-01", "rates": rates}
        put = await client.put("/v1/contract-rates/SIMCOM", json=body, headers=auth)
        assert [r["effective_from"] for r in put.json()] == [f"{year}-01-01"] * 3  # the version it set, only
    path, practice = "/v1/contract-rates/SIMCOM", {"practice_id": str(PRACTICE)}
    pages = await every_page(client, path, auth, limit=4, params=practice)
    assert [[(r["effective_from"][:4], r["code"]) for r in page] for page in pages] == [
        [("2025", "90791"), ("2025", "90834"), ("2025", "90837"), ("2026", "90791")],
        [("2026", "90834"), ("2026", "90837")],
    ]
    one = await every_page(client, path, auth, limit=4, params={**practice, "effective_from": "2026-01-01"})
    assert [r["code"] for page in one for r in page] == ["90791", "90834", "90837"]
    for listing, params in (("/v1/payer-silence", {}), ("/v1/variances", {}), (path, practice)):
        await assert_limit_capped(client, listing, auth, params)
        await assert_foreign_cursor_refused(client, listing, auth, params)


async def test_variance_items_page_newest_first_to_the_oldest(
    client: httpx.AsyncClient, auth: dict[str, str], make_uow: Callable[[], UnitOfWork]
) -> None:
    rates = {
        "practice_id": str(PRACTICE),
        "effective_from": "2026-01-01",
        "rates": [{"code": "90837", "amount": "150"}],
    }
    assert (await client.put("/v1/contract-rates/SIMCOM", json=rates, headers=auth)).status_code == 200
    claims = [claim_created(f"CS000000042{n}") for n in range(3)]
    await announce(make_uow, *claims)
    for n, created in enumerate(claims):  # each allowed 140 against 150: underpaid
        await upload(client, auth, era(Payment(created.patient_control_number), trace=f"VR{n}"))
    pages = await every_page(client, "/v1/variances", auth, limit=2)
    newest_first = [str(c.claim_id) for c in reversed(claims)]
    assert [[v["claim_id"] for v in page] for page in pages] == [newest_first[:2], newest_first[2:]]
