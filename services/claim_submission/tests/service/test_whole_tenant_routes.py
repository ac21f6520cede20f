"""What spans every practice of a tenant is refused to a token limited to practices: the quarantined 999s (one
answers a whole interchange, whose claims may be of several practices) and the tenant's submitter identity."""

from typing import Any
from uuid import uuid4

import httpx
from claims_testkit import TENANT
from claimstream_platform.auth import Role

SUBMITTER = {
    "submitter_id": "LIMITED01",
    "name": "Limited Billing",
    "contact_name": "Rosa Diaz",
    "phone": "5035550142",
    "email": "edi@limited.example",
}


def limited(keys: Any, role: Role) -> dict[str, str]:
    return {"Authorization": f"Bearer {keys.issuer.issue(tenant_id=TENANT, practice_ids=[uuid4()], roles=[role])}"}


async def test_a_token_limited_to_practices_neither_reads_nor_settles_acknowledgments(
    client: httpx.AsyncClient, keys: Any
) -> None:
    biller = limited(keys, Role.BILLER)
    assert (await client.get("/v1/inbound", headers=biller)).status_code == 403
    assert (await client.post("/v1/inbound/1/discard", headers=biller)).status_code == 403


async def test_an_admin_limited_to_practices_cannot_set_the_tenants_submitter(
    client: httpx.AsyncClient, keys: Any, auth: dict[str, str]
) -> None:
    before = (await client.get("/v1/submitter", headers=auth)).status_code
    assert (
        await client.put("/v1/submitter", json=SUBMITTER, headers=limited(keys, Role.TENANT_ADMIN))
    ).status_code == 403
    assert (await client.get("/v1/submitter", headers=auth)).status_code == before  # nothing set
