"""ERA deduplication stays within a tenant (issue 26, N3): another tenant's upload of the same bytes or of the
payer's trace numbers never makes a tenant's real ERA a duplicate; the same tenant's second copy still is."""

from collections.abc import Callable
from types import SimpleNamespace
from uuid import uuid4

import httpx
from claimstream_devtools.schemas_under_test import schema_roles
from claimstream_devtools.testing import Keys
from claimstream_platform.context import Tenancy
from claimstream_platform.db import UnitOfWork
from claimstream_platform.engines import create_engine, sessions
from remittance_posting import handlers
from remittance_posting.repository import PostingWork
from remittance_testkit import PRACTICE, TENANT, Payment, claim_created, era
from test_remittance_api import announce, postings, upload


def _auth(keys: Keys) -> dict[str, str]:
    return {"Authorization": f"Bearer {keys.issuer.issue(tenant_id=uuid4())}"}


async def _from_inbox(make_uow: Callable[[], UnitOfWork], body: str, name: str) -> list[str]:
    """The 835 as the clearinghouse delivers it (no tenant): the statuses of its remittances."""
    async with make_uow() as uow:
        receipt = await handlers.receive(uow, body, source=f"inbox:{name}", tenant_id=None)
        statuses = [(await uow.posting.remittance_of(rid)).status for rid in receipt.remittance_ids]
        await uow.commit()
    return statuses


async def test_another_tenants_upload_of_the_payers_trace_does_not_make_the_real_era_a_duplicate(
    client: httpx.AsyncClient, auth: dict[str, str], keys: Keys, make_uow: Callable[[], UnitOfWork]
) -> None:
    created = claim_created("CS0000000301")
    await announce(make_uow, created)
    planted = era(Payment("CS9999999999"), trace="NEXTTRACE1", control="000000901")  # the payer's next trace
    (theirs,) = (await upload(client, _auth(keys), planted))["remittances"]
    assert theirs["status"] == "posted"  # their own remittance: its claim payment waits as their exception
    real = era(Payment("CS0000000301"), trace="NEXTTRACE1", control="000000902")
    assert await _from_inbox(make_uow, real, "real") == ["posted"]
    (posting,) = await postings(client, auth, created.claim_id)
    assert (posting["state"], posting["paid"]) == ("posted", "140.00")
    again = era(Payment("CS0000000301"), trace="NEXTTRACE1", control="000000903")  # ours, a second copy
    (duplicate,) = (await upload(client, auth, again))["remittances"]
    assert duplicate["status"] == "duplicate"
    assert len(await postings(client, auth, created.claim_id)) == 1


async def test_another_tenants_upload_of_the_same_bytes_does_not_make_the_file_a_duplicate(
    client: httpx.AsyncClient, auth: dict[str, str], keys: Keys, make_uow: Callable[[], UnitOfWork]
) -> None:
    created = claim_created("CS0000000302")
    await announce(make_uow, created)
    body = era(Payment("CS0000000302"), trace="BYTES1")
    first = await upload(client, _auth(keys), body)  # another tenant has the bytes first: none of its claims
    assert first["duplicate"] is False
    mine = await upload(client, auth, body)
    assert mine["duplicate"] is False
    assert [r["status"] for r in mine["remittances"]] == ["posted"]
    (posting,) = await postings(client, auth, created.claim_id)
    assert posting["state"] == "posted"
    assert (await upload(client, auth, body, status=200))["duplicate"] is True  # our own second copy


async def test_the_inbox_copy_of_a_file_another_tenant_uploaded_still_posts(
    client: httpx.AsyncClient, auth: dict[str, str], keys: Keys, make_uow: Callable[[], UnitOfWork]
) -> None:
    created = claim_created("CS0000000303")
    await announce(make_uow, created)
    body = era(Payment("CS0000000303"), trace="BYTES2")
    await upload(client, _auth(keys), body)
    assert await _from_inbox(make_uow, body, "copy") == ["posted"]
    assert [p["state"] for p in await postings(client, auth, created.claim_id)] == ["posted"]
    assert await _from_inbox(make_uow, body, "copy-again") == []  # the inbox's own second copy: the same file


async def test_a_trace_already_posted_from_the_inbox_is_a_duplicate_for_its_tenant(
    client: httpx.AsyncClient, auth: dict[str, str], make_uow: Callable[[], UnitOfWork]
) -> None:
    """An inbox remittance posted before its claim was known (no tenant then) still counts for the tenant."""
    early = era(Payment("CS0000000304"), trace="EARLY1", control="000000911")
    assert await _from_inbox(make_uow, early, "early") == ["posted"]  # its claim payment waits, unmatched
    created = claim_created("CS0000000304")
    await announce(make_uow, created)  # the waiting payment posts now
    later = era(Payment("CS0000000304"), trace="EARLY1", control="000000912")
    assert await _from_inbox(make_uow, later, "later") == ["duplicate"]
    assert len(await postings(client, auth, created.claim_id)) == 1


async def test_the_same_trace_to_another_payee_is_not_a_duplicate(
    client: httpx.AsyncClient, auth: dict[str, str], make_uow: Callable[[], UnitOfWork]
) -> None:
    one, other = claim_created("CS0000000305"), claim_created("CS0000000306")
    await announce(make_uow, one, other)
    await upload(client, auth, era(Payment("CS0000000305"), trace="PAYEES1"))
    to_another = era(Payment("CS0000000306"), trace="PAYEES1", payee="1234567893", control="000000921")
    (remittance,) = (await upload(client, auth, to_another))["remittances"]
    assert remittance["status"] == "posted"
    assert [p["state"] for p in await postings(client, auth, other.claim_id)] == ["posted"]


async def test_a_token_limited_to_one_practice_posts_nothing_to_another_practices_claims(
    client: httpx.AsyncClient, auth: dict[str, str], keys: Keys, make_uow: Callable[[], UnitOfWork]
) -> None:
    """N5: an upload by a token of practice P1 posts P1's claim; P2's payment waits, as if its claim were unknown,
    until a user who may reach P2 assigns it."""
    other_practice = uuid4()
    ours, theirs = claim_created("CS0000000311"), claim_created("CS0000000312", practice=other_practice)
    await announce(make_uow, ours, theirs)
    limited = {"Authorization": f"Bearer {keys.issuer.issue(tenant_id=TENANT, practice_ids=[PRACTICE])}"}
    body = era(Payment("CS0000000311"), Payment("CS0000000312"), trace="PRACTICES1")
    (remittance,) = (await upload(client, limited, body))["remittances"]
    assert remittance["status"] == "posted"
    assert [p["state"] for p in await postings(client, auth, ours.claim_id)] == ["posted"]
    assert await postings(client, auth, theirs.claim_id) == []
    waiting = (await client.get("/v1/remittances/exceptions", headers=auth)).json()["items"]
    (exception,) = [e for e in waiting if e["patient_control_number"] == "CS0000000312"]
    assert exception["reason"] == "no claim with patient control number CS0000000312"
    assign = f"/v1/remittances/exceptions/{exception['id']}/assign"
    refused = await client.post(assign, json={"claim_id": str(theirs.claim_id)}, headers=limited)
    assert refused.status_code == 404
    assigned = await client.post(assign, json={"claim_id": str(theirs.claim_id)}, headers=auth)
    assert assigned.status_code == 200, assigned.text
    assert [p["state"] for p in await postings(client, auth, theirs.claim_id)] == ["posted"]


async def test_a_waiting_inbox_payment_posts_when_the_tenants_consumer_learns_of_its_claim(
    schema: str, client: httpx.AsyncClient, auth: dict[str, str], make_uow: Callable[[], UnitOfWork]
) -> None:
    """As the worker runs it: the app role, working as the event's tenant under row-level security. The inbox's
    payment has no tenant yet, so what waits is found and posted across tenants on purpose (and says so), on the
    across-tenants role; a second delivery of the announcement posts nothing twice."""
    early = era(Payment("CS0000000307"), trace="EARLY7", control="000000913")
    assert await _from_inbox(make_uow, early, "early7") == ["posted"]  # its claim payment waits, unmatched
    created = claim_created("CS0000000307")
    roles = schema_roles(schema)
    assert roles is not None
    app, across = (create_engine(url, schema=schema, connections=2) for url in (roles.app_url, roles.across_url))
    try:
        for _ in range(2):
            async with PostingWork(sessions(app), Tenancy.of(TENANT), across_tenants=sessions(across)) as uow:
                await handlers.on_claims_created([SimpleNamespace(event=created)], uow)
                await uow.commit()
    finally:
        await app.dispose()
        await across.dispose()
    assert [p["state"] for p in await postings(client, auth, created.claim_id)] == ["posted"]


async def test_a_payment_posted_for_a_claim_leaves_the_claim_known_even_if_the_batch_fails_for_good(
    schema: str, client: httpx.AsyncClient, auth: dict[str, str], make_uow: Callable[[], UnitOfWork]
) -> None:
    """The waiting payment is posted in a transaction of its own (the across-tenants role's): the claim it posts to
    is remembered in that same transaction, so a consumer batch that never commits leaves no posting to a claim
    this service does not know."""
    early = era(Payment("CS0000000308"), trace="EARLY8", control="000000914")
    assert await _from_inbox(make_uow, early, "early8") == ["posted"]
    created = claim_created("CS0000000308")
    roles = schema_roles(schema)
    assert roles is not None
    app, across = (create_engine(url, schema=schema, connections=2) for url in (roles.app_url, roles.across_url))
    try:
        async with PostingWork(sessions(app), Tenancy.of(TENANT), across_tenants=sessions(across)) as uow:
            await handlers.on_claims_created([SimpleNamespace(event=created)], uow)
            # no commit: the consumer's batch fails for good here
        async with PostingWork(sessions(app), Tenancy.of(TENANT)) as uow:
            assert await uow.claims.known_claim(TENANT, created.claim_id) is not None
    finally:
        await app.dispose()
        await across.dispose()
    assert [p["state"] for p in await postings(client, auth, created.claim_id)] == ["posted"]
