"""A tenant administrator's routes: refused to other roles (403), blind to other tenants' accounts (404); roles
changed; integrations and their tokens; installation operators."""

from datetime import UTC, datetime
from uuid import uuid4

import httpx
from claimstream_devtools.testing import Keys
from claimstream_platform.auth import Operator, Role, TokenVerifier
from identity import handlers
from identity.domain import SYSTEM
from identity_testkit import (
    OTHER_TENANT,
    OTHERS_PRACTICE,
    OUR_PRACTICE,
    PASSWORD,
    TENANT,
    admin,
    headers,
    person,
    refused_by,
)


async def test_a_biller_is_refused_every_administrators_route(client: httpx.AsyncClient, keys: Keys) -> None:
    biller = headers(keys.issuer.issue(tenant_id=TENANT, roles=[Role.BILLER]))
    user = uuid4()
    calls = [
        client.post("/v1/users", json={"email": "a@example.org", "name": "A", "roles": ["biller"]}, headers=biller),
        client.get("/v1/users", headers=biller),
        client.patch(f"/v1/users/{user}", json={"roles": ["tenant-admin"]}, headers=biller),
        client.post(f"/v1/users/{user}/disable", headers=biller),
        client.post("/v1/integrations", json={"name": "EHR", "roles": ["ehr-integration"]}, headers=biller),
        client.post(f"/v1/integrations/{user}/tokens", json={"days": 30}, headers=biller),
        client.get("/v1/audit", headers=biller),
    ]
    for call in calls:
        assert (await call).status_code == 403


async def test_an_admin_limited_to_practices_cannot_widen_anyones_reach_nor_its_own(
    client: httpx.AsyncClient, keys: Keys
) -> None:
    """A practice-limited admin could otherwise give itself or a new integration every practice of the tenant."""
    user_id, _token = await person(client, keys, "lee@example.org")
    limited = headers(keys.issuer.issue(tenant_id=TENANT, practice_ids=[uuid4()], roles=[Role.TENANT_ADMIN]))
    widen = {"roles": ["tenant-admin"], "practice_ids": None}
    calls = [
        client.patch(f"/v1/users/{user_id}", json=widen, headers=limited),
        client.post("/v1/integrations", json={"name": "EHR", "roles": ["ehr-integration"]}, headers=limited),
        client.post("/v1/users", json={"email": "b@example.org", "name": "B", "roles": ["biller"]}, headers=limited),
        client.get("/v1/users", headers=limited),
    ]
    for call in calls:
        assert (await call).status_code == 403
    mine = (await client.get("/v1/users", headers=admin(keys))).json()["items"]
    assert [(u["id"], u["roles"]) for u in mine] == [(user_id, ["biller"])]  # nothing changed


async def test_an_account_is_limited_only_to_its_tenants_practices(client: httpx.AsyncClient, keys: Keys) -> None:
    """Another tenant's practice, or one that never existed, is not found (404 naming the field), and nothing is
    made or changed; the tenant's own registered practice is accepted."""
    user_id, _token = await person(client, keys, "kim@example.org")
    for foreign in (OTHERS_PRACTICE, uuid4()):
        access = {"roles": ["biller"], "practice_ids": [str(foreign)]}
        calls = [
            client.post("/v1/users", json={"email": "c@example.org", "name": "C", **access}, headers=admin(keys)),
            client.post("/v1/integrations", json={"name": "EHR", **access}, headers=admin(keys)),
            client.patch(f"/v1/users/{user_id}", json=access, headers=admin(keys)),
        ]
        for call in calls:
            answer = await call
            assert answer.status_code == 404 and answer.json()["errors"][0]["field"] == "practice_ids", answer.text
    listed = (await client.get("/v1/users", headers=admin(keys))).json()["items"]
    assert [(u["id"], u["practice_ids"]) for u in listed] == [(user_id, None)]
    ours = {"roles": ["biller"], "practice_ids": [str(OUR_PRACTICE)]}
    changed = await client.patch(f"/v1/users/{user_id}", json=ours, headers=admin(keys))
    assert changed.status_code == 200 and changed.json()["practice_ids"] == [str(OUR_PRACTICE)]


async def test_another_tenants_accounts_are_not_found(client: httpx.AsyncClient, keys: Keys) -> None:
    user_id, _token = await person(client, keys, "pat@example.org")
    theirs = admin(keys, OTHER_TENANT)
    assert (await client.patch(f"/v1/users/{user_id}", json={"roles": ["auditor"]}, headers=theirs)).status_code == 404
    assert (await client.post(f"/v1/users/{user_id}/disable", headers=theirs)).status_code == 404
    listed = (await client.get("/v1/users", headers=theirs)).json()["items"]
    assert listed == []
    mine = (await client.get("/v1/users", headers=admin(keys))).json()["items"]
    assert [u["id"] for u in mine] == [user_id] and mine[0]["status"] == "active"


async def test_new_roles_revoke_the_old_tokens_and_the_next_sign_in_carries_them(
    client: httpx.AsyncClient, other: httpx.AsyncClient, keys: Keys
) -> None:
    user_id, token = await person(client, keys, "max@example.org")
    changed = await client.patch(f"/v1/users/{user_id}", json={"roles": ["auditor"]}, headers=admin(keys))
    assert changed.status_code == 200 and changed.json()["roles"] == ["auditor"]
    assert await refused_by(other, token) == 401


async def test_an_integration_gets_tokens_within_the_cap_and_a_revoked_one_is_refused(
    client: httpx.AsyncClient, other: httpx.AsyncClient, keys: Keys
) -> None:
    created = await client.post(
        "/v1/integrations", json={"name": "EHR feed", "roles": ["ehr-integration"]}, headers=admin(keys)
    )
    assert created.status_code == 201 and created.json()["kind"] == "integration"
    integration = created.json()["id"]
    too_long = await client.post(f"/v1/integrations/{integration}/tokens", json={"days": 91}, headers=admin(keys))
    assert too_long.status_code == 422
    issued = await client.post(f"/v1/integrations/{integration}/tokens", json={"days": 30}, headers=admin(keys))
    assert issued.status_code == 201, issued.text
    token, jti = issued.json()["token"], issued.json()["jti"]
    assert (await other.get("/v1/whoami", headers=headers(token))).status_code == 200
    assert (await client.post("/v1/session/renew", headers=headers(token))).status_code == 403
    revoked = await client.post(f"/v1/integrations/{integration}/tokens/{jti}/revoke", headers=admin(keys))
    assert revoked.status_code == 204
    assert await refused_by(other, token) == 401
    theirs = await client.post(
        f"/v1/integrations/{integration}/tokens", json={"days": 1}, headers=admin(keys, OTHER_TENANT)
    )
    assert theirs.status_code == 404


async def test_an_operator_created_from_the_command_line_signs_in_as_an_operator(
    client: httpx.AsyncClient, keys: Keys, make_uow: object
) -> None:
    async with make_uow() as uow:  # type: ignore[operator]
        access = handlers.Access(frozenset(), None)
        invitation = await handlers.invite(uow, None, "ops@example.org", "Ops", access, SYSTEM)
        await uow.commit()
    accepted = await client.post("/v1/invitations/accept", json={"code": invitation.code, "password": PASSWORD})
    assert accepted.status_code == 200
    as_person = await client.post("/v1/sign-in", json={"email": "ops@example.org", "password": PASSWORD})
    assert as_person.status_code == 401  # an operator is not a tenant's person
    signed = await client.post("/v1/operators/sign-in", json={"email": "ops@example.org", "password": PASSWORD})
    assert signed.status_code == 200
    caller = TokenVerifier.from_file(keys.public_key_file).verify(signed.json()["access_token"])
    assert isinstance(caller, Operator) and caller.subject == invitation.account.subject
    assert signed.json()["expires_at"] > datetime.now(UTC).isoformat()
