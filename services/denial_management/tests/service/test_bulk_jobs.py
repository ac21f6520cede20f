"""Bulk actions as jobs on real PostgreSQL: asked for, worked a chunk a transaction with their progress readable
between chunks, a case that changed since it was chosen skipped with why, and each job seen only by its asker
while their token may see every one of its cases."""

from collections.abc import Callable
from uuid import uuid4

import httpx
import pytest
from claimstream_devtools.testing import Keys
from claimstream_platform.auth import Kind, Role
from denial_management import bulk
from denial_management.domain import Case
from denial_management.repository import DenialWork
from denial_testkit import TENANT, cases_of, created, deliver, denied, work_bulk


def person(keys: Keys, subject: str, role: Role = Role.BILLER, tenant: object = TENANT) -> dict[str, str]:
    issued = keys.issuer.issue(tenant_id=tenant, subject=subject, roles=(role,), kind=Kind.PERSON)
    return {"Authorization": f"Bearer {issued}"}


async def test_a_job_is_worked_a_chunk_at_a_time_and_shows_how_far_it_is(
    make_uow: Callable[[], DenialWork], client: httpx.AsyncClient, keys: Keys
) -> None:
    biller = person(keys, "person:bulk-chunks")
    claims = [created(f"CS0000001{n:03}", payer="BULKCHUNK") for n in range(bulk.CHUNK + 5)]
    await deliver(make_uow, *claims, *(denied(c, ("CO", "50", "140")) for c in claims))
    asked = await client.post(
        "/v1/denials/bulk",
        json={"action": "assign", "assignee": "ana@billing", "payer_id": "BULKCHUNK"},
        headers=biller,
    )
    assert asked.status_code == 202 and (asked.json()["status"], asked.json()["total"]) == ("queued", bulk.CHUNK + 5)
    job_url = f"/v1/denials/bulk/{asked.json()['id']}"
    async with make_uow() as uow:
        assert await bulk.work_chunk(uow)
        await uow.commit()
    halfway = (await client.get(job_url, headers=biller)).json()
    assert (halfway["status"], halfway["done"], halfway["finished_at"]) == ("running", bulk.CHUNK, None)
    assert await work_bulk(make_uow) == 1
    finished = (await client.get(job_url, headers=biller)).json()
    assert (finished["status"], finished["done"], finished["skipped"]) == ("finished", bulk.CHUNK + 5, 0)
    assert {c["assignee"] for c in await cases_of(client, biller) if c["payer_id"] == "BULKCHUNK"} == {"ana@billing"}
    other_biller, stranger = person(keys, "person:someone-else"), person(keys, "person:bulk-chunks", tenant=uuid4())
    assert (await client.get(job_url, headers=other_biller)).status_code == 404
    assert (await client.get(job_url, headers=stranger)).status_code == 404
    other_practice = keys.issuer.issue(
        tenant_id=TENANT, subject="person:bulk-chunks", roles=(Role.BILLER,), kind=Kind.PERSON, practice_ids=[uuid4()]
    )
    assert (await client.get(job_url, headers={"Authorization": f"Bearer {other_practice}"})).status_code == 404
    front_desk = person(keys, "person:bulk-chunks", Role.FRONT_DESK)
    assert (await client.get(job_url, headers=front_desk)).status_code == 403


async def test_a_case_changed_since_it_was_chosen_is_skipped_with_why_and_never_blocks_the_rest(
    make_uow: Callable[[], DenialWork], client: httpx.AsyncClient, keys: Keys
) -> None:
    biller, admin = person(keys, "person:bulk-skips"), person(keys, "person:admin", Role.TENANT_ADMIN)
    claims = [created(f"CS0000002{n:03}", payer="BULKSKIP") for n in range(4)]
    await deliver(make_uow, *claims, *(denied(c, ("CO", "50", "140")) for c in claims))
    wanted = {"payer_id": "BULKSKIP", "status": "open"}
    assign = await client.post("/v1/denials/bulk", json=wanted | {"action": "assign", "assignee": "bo"}, headers=biller)
    ids = [c["id"] for c in await cases_of(client, biller) if c["payer_id"] == "BULKSKIP"]
    assert (await client.post(f"/v1/denials/{ids[0]}/write-off", json={"reason": "x"}, headers=biller)).is_success
    assert (await client.post(f"/v1/denials/{ids[1]}/assign", json={"assignee": "al"}, headers=biller)).is_success
    await work_bulk(make_uow)
    assigned = (await client.get(f"/v1/denials/bulk/{assign.json()['id']}", headers=biller)).json()
    assert (assigned["done"], assigned["skipped"]) == (2, 2)
    assert {c["case_id"]: c["why"] for c in assigned["skipped_cases"]} == {
        ids[0]: "resolved since it was chosen",
        ids[1]: "assigned to someone else since it was chosen",  # al keeps it
    }
    write_off = await client.post(
        "/v1/denials/bulk", json=wanted | {"action": "write_off", "reason": "x"}, headers=biller
    )
    assert write_off.status_code == 202 and write_off.json()["total"] == 3  # the one written off is not chosen again
    appeal = {"reason": "coverage was active", "facts": []}
    assert (await client.post(f"/v1/denials/{ids[2]}/appeal", json=appeal, headers=biller)).is_success
    assert (await client.put("/v1/write-off-limit", json={"per_case": "100.00"}, headers=admin)).status_code == 200
    await work_bulk(make_uow)
    written = (await client.get(f"/v1/denials/bulk/{write_off.json()['id']}", headers=biller)).json()
    assert (written["status"], written["done"], written["skipped"]) == ("finished", 0, 3)
    assert {c["case_id"]: c["why"] for c in written["skipped_cases"]} == {
        ids[1]: "over the write-off limit of 100.00 set since",
        ids[2]: "appealed since it was chosen (open then)",  # the appeal stands
        ids[3]: "over the write-off limit of 100.00 set since",
    }
    assert {c["id"] for c in await cases_of(client, biller) if c["status"] != "resolved"} >= set(ids[1:])


async def test_jobs_take_turns_a_chunk_each_so_that_none_waits_behind_another(
    make_uow: Callable[[], DenialWork], client: httpx.AsyncClient, keys: Keys
) -> None:
    biller = person(keys, "person:bulk-turns")
    claims = [created(f"CS0000004{n:03}", payer=f"BULKTURN{n % 2}") for n in range(2 * bulk.CHUNK + 2)]
    await deliver(make_uow, *claims, *(denied(c, ("CO", "50", "140")) for c in claims))
    jobs = []
    for payer in ("BULKTURN0", "BULKTURN1"):
        asked = await client.post(
            "/v1/denials/bulk", json={"action": "assign", "assignee": "t", "payer_id": payer}, headers=biller
        )
        jobs.append(f"/v1/denials/bulk/{asked.json()['id']}")
    for _ in range(2):
        async with make_uow() as uow:
            assert await bulk.work_chunk(uow)
            await uow.commit()
    first, second = [(await client.get(job, headers=biller)).json() for job in jobs]
    assert (first["done"], second["done"]) == (bulk.CHUNK, bulk.CHUNK)  # one chunk each, not two of the first


async def test_a_filter_that_finds_nothing_is_a_finished_job_of_none(client: httpx.AsyncClient, keys: Keys) -> None:
    biller = person(keys, "person:bulk-none")
    asked = await client.post(
        "/v1/denials/bulk", json={"action": "assign", "assignee": "x", "payer_id": "NOBODY"}, headers=biller
    )
    assert asked.status_code == 202 and (asked.json()["status"], asked.json()["total"]) == ("finished", 0)


async def test_a_case_that_fails_for_a_reason_of_its_own_is_skipped_and_the_rest_are_worked(
    make_uow: Callable[[], DenialWork], client: httpx.AsyncClient, keys: Keys, monkeypatch: pytest.MonkeyPatch
) -> None:
    biller = person(keys, "person:bulk-poison")
    claims = [created(f"CS0000003{n:03}", payer="BULKPOISON") for n in range(3)]
    await deliver(make_uow, *claims, *(denied(c, ("CO", "50", "140")) for c in claims))
    poison = [c["id"] for c in await cases_of(client, biller) if c["payer_id"] == "BULKPOISON"][1]
    assign = Case.assign

    def failing_on_one(case: Case, assignee: str, actor: str) -> None:
        if str(case.id) == poison:
            raise RuntimeError("a bug met on one case")
        assign(case, assignee, actor)

    monkeypatch.setattr(Case, "assign", failing_on_one)
    wanted = {"action": "assign", "assignee": "cy", "payer_id": "BULKPOISON"}
    asked = (await client.post("/v1/denials/bulk", json=wanted, headers=biller)).json()
    assert await work_bulk(make_uow) == 1  # one pass: the failure is not retried for ever
    job = (await client.get(f"/v1/denials/bulk/{asked['id']}", headers=biller)).json()
    assert (job["status"], job["done"], job["skipped"]) == ("finished", 2, 1)
    assert job["skipped_cases"] == [{"case_id": poison, "why": "could not be worked (RuntimeError)"}]
    assignees = {c["id"]: c["assignee"] for c in await cases_of(client, biller) if c["payer_id"] == "BULKPOISON"}
    assert assignees.pop(poison) is None and set(assignees.values()) == {"cy"}  # that case untouched
