"""N1, on real PostgreSQL: a tenant's token once saw and assigned every tenant's unmatched claim payments and those
no tenant is known for. Now a tenant's biller works only its own tenant's; an installation operator works any, and
a payment it assigns takes its claim's tenant (one that is already a tenant's goes only to that tenant's claims)."""

from collections.abc import Callable
from typing import Any
from uuid import UUID, uuid4

import httpx
from claimstream_devtools.testing import Keys
from claimstream_platform.db import UnitOfWork
from remittance_posting import handlers
from remittance_testkit import TENANT, Payment, claim_created, era
from sqlalchemy import text
from test_remittance_api import announce, postings, upload

OTHER_TENANT = UUID("00000000-0000-0000-0000-0000000e1b00")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def payments(make_uow: Callable[[], UnitOfWork]) -> dict[str, Any]:
    """Every claim payment by its CLP01: (id, tenant, state, claim)."""
    query = text("SELECT patient_control_number, id, tenant_id, state, claim_id FROM claim_payments")
    async with make_uow() as uow:
        rows = (await uow.session.execute(query)).all()
    return {row.patient_control_number: (row.id, row.tenant_id, row.state, row.claim_id) for row in rows}


async def exception_ids(client: httpx.AsyncClient, auth: dict[str, str]) -> set[str]:
    response = await client.get("/v1/remittances/exceptions", headers=auth)
    assert response.status_code == 200, response.text
    return {item["patient_control_number"] for item in response.json()["items"]}


async def test_a_tenant_works_only_its_own_exceptions_and_an_operator_works_any(
    client: httpx.AsyncClient, keys: Keys, make_uow: Callable[[], UnitOfWork]
) -> None:
    ours = bearer(keys.issuer.issue(tenant_id=TENANT, roles=["biller"]))
    theirs = bearer(keys.issuer.issue(tenant_id=OTHER_TENANT, roles=["biller"]))
    operator = bearer(keys.issuer.issue_operator(subject="operator:ana"))
    their_claim = claim_created("CS0000000301", tenant=OTHER_TENANT)
    await announce(make_uow, their_claim)
    await upload(client, ours, era(Payment("OURS-KEYED-1"), trace="WALL1"))  # ours, unmatched
    async with make_uow() as uow:  # the clearinghouse's: no tenant is known for it
        await handlers.receive(uow, era(Payment("NOBODYS-1"), trace="WALL2"), source="inbox:wall", tenant_id=None)
        await uow.commit()
    before = await payments(make_uow)

    assert await exception_ids(client, ours) == {"OURS-KEYED-1"}
    assert await exception_ids(client, theirs) == set()
    for pcn in ("OURS-KEYED-1", "NOBODYS-1"):
        url = f"/v1/remittances/exceptions/{before[pcn][0]}/assign"
        refused = await client.post(url, json={"claim_id": str(their_claim.claim_id)}, headers=theirs)
        assert refused.status_code == 404, pcn
    assert await payments(make_uow) == before

    assert await exception_ids(client, operator) == {"OURS-KEYED-1", "NOBODYS-1"}
    url = f"/v1/remittances/exceptions/{before['OURS-KEYED-1'][0]}/assign"
    crossing = await client.post(url, json={"claim_id": str(their_claim.claim_id)}, headers=operator)
    assert crossing.status_code == 422 and crossing.json()["errors"][0]["field"] == "claim_id"
    assert await payments(make_uow) == before
    url = f"/v1/remittances/exceptions/{before['NOBODYS-1'][0]}/assign"
    assigned = await client.post(url, json={"claim_id": str(their_claim.claim_id)}, headers=operator)
    assert assigned.status_code == 200, assigned.text
    assert (await payments(make_uow))["NOBODYS-1"][1:] == (OTHER_TENANT, "posted", their_claim.claim_id)
    (posting,) = await postings(client, theirs, their_claim.claim_id)
    assert posting["matched_by"] == "assigned"
    assert (await client.post(url, json={"claim_id": str(their_claim.claim_id)}, headers=operator)).status_code == 404


async def test_an_operator_cannot_upload_or_read_a_tenants_remittances(client: httpx.AsyncClient, keys: Keys) -> None:
    operator = bearer(keys.issuer.issue_operator(subject="operator:ana"))
    assert (await client.get("/v1/remittances", headers=operator)).status_code == 403
    upload = await client.post(
        "/v1/remittances", content=era(Payment("X1")), headers={**operator, "Content-Type": "application/edi-x12"}
    )
    assert upload.status_code == 403
    missing = await client.post(
        f"/v1/remittances/exceptions/{uuid4()}/assign", json={"claim_id": str(uuid4())}, headers=operator
    )
    assert missing.status_code == 404
