"""A token limited to practices reaches only the interchanges whose every claim is of its practices (issue 26,
N5): it neither lists another practice's interchanges nor requeues or cancels them."""

from collections.abc import Callable
from uuid import uuid4

import httpx
from claim_submission.repository import ClaimWork
from claims_testkit import PRACTICE, TENANT, a_claim
from claimstream_devtools.testing import Keys
from sqlalchemy import text


def _limited_to(keys: Keys, *practices: object) -> dict[str, str]:
    return {"Authorization": f"Bearer {keys.issuer.issue(tenant_id=TENANT, practice_ids=list(practices))}"}


async def test_another_practices_interchange_is_neither_listed_nor_requeued_nor_cancelled(
    make_uow: Callable[[], ClaimWork],
    simulator: httpx.AsyncClient,
    client: httpx.AsyncClient,
    auth: dict[str, str],
    keys: Keys,
) -> None:
    await a_claim(make_uow, simulator, batched=True)  # one claim of PRACTICE, in one interchange
    async with make_uow() as uow:
        await uow.session.execute(text("UPDATE submissions SET status = 'quarantined', reason = 'test'"))
        await uow.commit()
    (interchange,) = (await client.get("/v1/interchanges", headers=auth)).json()["items"]
    number = interchange["interchange_number"]
    elsewhere = _limited_to(keys, uuid4())
    assert (await client.get("/v1/interchanges", headers=elsewhere)).json()["items"] == []
    for action in ("requeue", "cancel"):
        refused = await client.post(f"/v1/interchanges/{number}/{action}", headers=elsewhere)
        assert refused.status_code == 404, refused.text
    ours = _limited_to(keys, PRACTICE)
    assert [i["interchange_number"] for i in (await client.get("/v1/interchanges", headers=ours)).json()["items"]] == [
        number
    ]
    cancelled = await client.post(f"/v1/interchanges/{number}/cancel", headers=ours)
    assert (cancelled.status_code, cancelled.json()["status"]) == (200, "cancelled")
