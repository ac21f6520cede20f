"""The access log's emission (issue 26, item 5): an audited route's 2xx answer publishes one AccessRecorded
through the outbox, a command's in its own transaction, a read's before its answer starts; with the ids that name
its object, the query's included (never an id that is PHI); an installation operator's under the installation."""

import json
from uuid import uuid4

from claimstream_platform import middleware
from claimstream_platform.auth import Role
from claimstream_platform.contracts.access import INSTALLATION, AccessRecorded
from walls_app import bearer, outbox_rows, walls_app, walls_client

ACCESS = AccessRecorded.event_type


async def test_a_read_of_phi_is_recorded_before_it_is_answered(settings, keys, sessionmaker) -> None:
    tenant, record_id = uuid4(), uuid4()
    token = keys.issuer.issue(tenant_id=tenant, subject="user:ada", roles=[Role.BILLER])
    async with walls_client(walls_app(settings), settings) as client:
        response = await client.get(f"/v1/records/{record_id}", headers=bearer(token))
    assert response.status_code == 200
    [row] = await outbox_rows(sessionmaker)
    assert (row.event_type, row.tenant_id) == (ACCESS, tenant)
    event = json.loads(row.payload)
    assert {key: event[key] for key in ("actor", "actor_kind", "audit", "action", "resource", "status", "client")} == {
        "actor": "user:ada",
        "actor_kind": "integration",
        "audit": "phi",
        "action": "GET /v1/records/{record_id}",
        "resource": {"record_id": str(record_id)},
        "status": 200,
        "client": "203.0.113.9",
    }
    assert event["correlation_id"] == response.headers["x-correlation-id"] and event["service"] == "example-ledger"


async def test_a_command_records_its_access_in_the_transaction_of_its_change(settings, keys, sessionmaker) -> None:
    tenant, practice = uuid4(), uuid4()
    async with walls_client(walls_app(settings), settings) as client:
        response = await client.post(
            f"/v1/practices/{practice}/payments", headers=bearer(keys.issuer.issue(tenant_id=tenant))
        )
    assert response.status_code == 201
    change, access = await outbox_rows(sessionmaker)
    assert access.event_type == ACCESS and change.event_type != ACCESS
    assert change.xact == access.xact  # one transaction wrote both
    event = json.loads(access.payload)
    assert (event["action"], event["status"], event["audit"]) == (
        "POST /v1/practices/{practice_id}/payments",
        201,
        "money",
    )
    assert event["resource"] == {"practice_id": str(practice)}


async def test_a_rolled_back_command_leaves_no_record(settings, keys, sessionmaker) -> None:
    async with walls_client(walls_app(settings), settings) as client:
        response = await client.post(
            f"/v1/practices/{uuid4()}/payments?fail=true", headers=bearer(keys.issuer.issue(tenant_id=uuid4()))
        )
    assert response.status_code == 422
    assert await outbox_rows(sessionmaker) == []


async def test_refused_and_unaudited_requests_leave_no_record(settings, keys, sessionmaker) -> None:
    auth = bearer(keys.issuer.issue(tenant_id=uuid4()))
    async with walls_client(walls_app(settings), settings) as client:
        assert (await client.get("/v1/records/not-an-id", headers=auth)).status_code == 422
        assert (await client.get(f"/v1/records/{uuid4()}")).status_code == 401
        assert (await client.get("/v1/uploads", headers=auth)).status_code == 200
    assert await outbox_rows(sessionmaker) == []


async def test_a_read_whose_record_cannot_be_written_is_withheld_with_503(
    settings, keys, sessionmaker, monkeypatch
) -> None:
    class Broken(middleware.UnitOfWork):
        async def commit(self) -> None:
            raise ConnectionResetError("the database went away")

    monkeypatch.setattr(middleware, "UnitOfWork", Broken)
    async with walls_client(walls_app(settings), settings) as client:
        response = await client.get(f"/v1/records/{uuid4()}", headers=bearer(keys.issuer.issue(tenant_id=uuid4())))
    assert (response.status_code, response.headers["retry-after"]) == (503, "5")
    assert "logged reader" not in response.text
    assert await outbox_rows(sessionmaker) == []


async def test_the_ids_in_the_query_are_recorded_but_never_one_that_is_phi(settings, keys, sessionmaker) -> None:
    tenant, practice = uuid4(), uuid4()
    query = {
        "practice_id": str(practice),
        "patient_ref": "P 1970-01-01",  # not an id: recorded as such, never as given
        "member_id": "XYZ123456789",  # an insurance member's id is PHI
        "status": "open",  # not an id
        "claim_id": str(uuid4()),  # an id, but not a parameter the route declares
    }
    async with walls_client(walls_app(settings), settings) as client:
        answer = await client.get("/v1/records", params=query, headers=bearer(keys.issuer.issue(tenant_id=tenant)))
        assert answer.status_code == 200
        answer = await client.get("/v1/records?patient_ref=P-17", headers=bearer(keys.issuer.issue(tenant_id=tenant)))
        assert answer.status_code == 200
    first, second = [json.loads(row.payload) for row in await outbox_rows(sessionmaker)]
    assert first["resource"] == {"practice_id": str(practice), "patient_ref": "(not an id)"}
    assert second["resource"] == {"patient_ref": "P-17"}
    assert "XYZ123456789" not in first["resource"].values() and first["action"] == "GET /v1/records"


async def test_an_operators_read_goes_in_the_installations_own_chain(settings, keys, sessionmaker) -> None:
    operator = keys.issuer.issue_operator(subject="operator:ops-1")
    async with walls_client(walls_app(settings), settings) as client:
        answer = await client.get("/v1/records", headers=bearer(operator))
    assert answer.status_code == 200
    [row] = await outbox_rows(sessionmaker)
    event = json.loads(row.payload)
    assert (row.event_type, row.tenant_id, event["tenant_id"]) == (ACCESS, INSTALLATION, str(INSTALLATION))
    assert (event["actor"], event["actor_kind"], event["action"]) == ("operator:ops-1", "operator", "GET /v1/records")
