"""Each tenant's billing company is the submitter of its claims (1000A, ISA06); with none set, and no installation
default, claims wait, held with the reason, and go out once it is set. On real PostgreSQL."""

from collections.abc import Callable
from uuid import uuid4

import httpx
from claim_submission.intake import encounters
from claim_submission.outbound import submit
from claim_submission.outbound.x837 import Party
from claim_submission.repository import ClaimWork
from claims_testkit import RECENT, TENANT, charges, claims_of, handle, x12_of
from claimstream_devtools.testing import Keys

NO_DEFAULT = submit.Envelope(Party("CLAIMSTREAMSIM", "SIMULATOR"))
HARBOR = {
    "submitter_id": "HARBOR01",
    "name": "Harbor Billing",
    "contact_name": "Rosa Diaz",
    "phone": "5035550142",
    "email": "edi@harbor.example",
}


async def test_claims_wait_for_the_tenants_submitter_then_go_out_under_it(
    make_uow: Callable[[], ClaimWork], client: httpx.AsyncClient, keys: Keys
) -> None:
    coded = charges(service_date=RECENT)
    await handle(make_uow, encounters.on_charge_captured, coded)
    assert await submit.batch(make_uow(), NO_DEFAULT) == 0
    (claim,) = await claims_of(make_uow, coded.encounter_id)
    assert (claim.status, [r["rule"] for r in claim.reasons]) == ("held", ["submitter.not-configured"])

    admin = {"Authorization": f"Bearer {keys.issuer.issue(tenant_id=TENANT, roles=['tenant-admin'])}"}
    assert (await client.get("/v1/submitter", headers=admin)).status_code == 404
    response = await client.put("/v1/submitter", json=HARBOR, headers=admin)
    assert response.status_code == 200, response.text
    (claim,) = await claims_of(make_uow, coded.encounter_id)
    assert (claim.status, claim.reasons) == ("ready", [])

    assert await submit.batch(make_uow(), NO_DEFAULT) == 1
    (claim,) = await claims_of(make_uow, coded.encounter_id)
    assert x12_of(claim).split("*")[6].strip() == "HARBOR01"  # ISA06
    assert "NM1*41*2*HARBOR BILLING*****46*HARBOR01~" in x12_of(claim)
    assert "PER*IC*ROSA DIAZ*TE*5035550142*EM*EDI@HARBOR.EXAMPLE~" in x12_of(claim)
    assert (await client.get("/v1/submitter", headers=admin)).json()["submitter_id"] == "HARBOR01"


async def test_setting_the_submitter_is_the_tenant_admins_task_and_checked_field_by_field(
    client: httpx.AsyncClient, keys: Keys
) -> None:
    biller = {"Authorization": f"Bearer {keys.issuer.issue(tenant_id=TENANT, roles=['biller'])}"}
    assert (await client.put("/v1/submitter", json=HARBOR, headers=biller)).status_code == 403
    installation = {"Authorization": f"Bearer {keys.issuer.issue_operator(subject='operator:ana')}"}
    assert (await client.put("/v1/submitter", json=HARBOR, headers=installation)).status_code == 403  # no tenant
    admin = {"Authorization": f"Bearer {keys.issuer.issue(tenant_id=TENANT, roles=['tenant-admin'])}"}
    for field, value in (("phone", "800-555"), ("submitter_id", "harbor*01"), ("name", "Harbor\x07")):
        response = await client.put("/v1/submitter", json={**HARBOR, field: value}, headers=admin)
        assert response.status_code == 422, field
        assert [e["field"] for e in response.json()["errors"]] == [field]
    assert (await client.get("/v1/submitter", headers=admin)).status_code == 404


async def test_a_submitter_id_is_one_tenants_and_whose_is_never_said(client: httpx.AsyncClient, keys: Keys) -> None:
    """The clearinghouse knows a billing company by its submitter id, and addresses its answers to it: a second
    tenant claiming the id is refused (409 naming the field), and its own submitter is left unset."""
    other = uuid4()
    ours, theirs = (
        {"Authorization": f"Bearer {keys.issuer.issue(tenant_id=tenant, roles=['tenant-admin'])}"}
        for tenant in (TENANT, other)
    )
    assert (await client.put("/v1/submitter", json=HARBOR, headers=ours)).status_code == 200
    taken = await client.put("/v1/submitter", json={**HARBOR, "name": "Pier Billing"}, headers=theirs)
    assert (taken.status_code, [e["field"] for e in taken.json()["errors"]]) == (409, ["submitter_id"])
    assert str(TENANT) not in taken.text and "Harbor" not in taken.text
    assert (await client.get("/v1/submitter", headers=theirs)).status_code == 404
    renamed = await client.put("/v1/submitter", json={**HARBOR, "name": "Harbor Billing LLC"}, headers=ours)
    assert renamed.status_code == 200  # the holder replaces its own submitter, id and all
    own_id = await client.put("/v1/submitter", json={**HARBOR, "submitter_id": "PIER02"}, headers=theirs)
    assert own_id.status_code == 200
    assert (await client.get("/v1/submitter", headers=ours)).json()["name"] == "Harbor Billing LLC"
