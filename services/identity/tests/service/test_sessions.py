"""Signing in, renewing and signing out, and the tokens other services refuse once identity revoked them."""

import httpx
from claimstream_devtools.testing import Keys
from claimstream_platform.auth import Role
from identity_testkit import PASSWORD, admin, headers, invite, person, refused_by, sign_in


async def test_a_person_signs_in_renews_and_signs_out_and_other_services_follow(
    client: httpx.AsyncClient, other: httpx.AsyncClient, keys: Keys
) -> None:
    user_id, token = await person(client, keys, "Dana@Example.org")
    seen = await other.get("/v1/whoami", headers=headers(token))
    assert seen.status_code == 200 and seen.json()["subject"] == f"person:{user_id}"

    renewed = await client.post("/v1/session/renew", headers=headers(token))
    assert renewed.status_code == 200, renewed.text
    fresh = renewed.json()["access_token"]
    assert await refused_by(other, token) == 401  # the renewed token is revoked
    assert (await other.get("/v1/whoami", headers=headers(fresh))).status_code == 200

    assert (await client.post("/v1/session/sign-out", headers=headers(fresh))).status_code == 204
    assert await refused_by(other, fresh) == 401
    assert (await client.post("/v1/session/renew", headers=headers(fresh))).status_code == 401


async def test_an_unknown_email_and_a_wrong_password_get_the_same_answer_and_repeated_failures_wait(
    client: httpx.AsyncClient, keys: Keys
) -> None:
    await person(client, keys, "sam@example.org")
    wrong = await client.post("/v1/sign-in", json={"email": "sam@example.org", "password": "not the password"})
    unknown = await client.post("/v1/sign-in", json={"email": "nobody@example.org", "password": PASSWORD})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    for _ in range(5):
        await client.post("/v1/sign-in", json={"email": "nobody@example.org", "password": "guess"})
    waiting = await client.post("/v1/sign-in", json={"email": "nobody@example.org", "password": "guess"})
    assert waiting.status_code == 429 and int(waiting.headers["Retry-After"]) >= 1
    assert (
        await client.post("/v1/sign-in", json={"email": "sam@example.org", "password": PASSWORD})
    ).status_code == 200


async def test_a_disabled_persons_tokens_are_refused_everywhere_and_they_cannot_sign_in_again(
    client: httpx.AsyncClient, other: httpx.AsyncClient, keys: Keys
) -> None:
    user_id, token = await person(client, keys, "lee@example.org")
    assert (await other.get("/v1/whoami", headers=headers(token))).status_code == 200
    disabled = await client.post(f"/v1/users/{user_id}/disable", headers=admin(keys))
    assert disabled.status_code == 200 and disabled.json()["status"] == "disabled"
    assert await refused_by(other, token) == 401
    again = await client.post("/v1/sign-in", json={"email": "lee@example.org", "password": PASSWORD})
    assert again.status_code == 401


async def test_an_invitation_is_accepted_once_and_not_after_it_expires(
    client: httpx.AsyncClient, keys: Keys, make_uow: object
) -> None:
    code = (await invite(client, keys, "kim@example.org", [Role.FRONT_DESK]))["invitation_code"]
    first = await client.post("/v1/invitations/accept", json={"code": code, "password": PASSWORD})
    assert first.status_code == 200
    second = await client.post("/v1/invitations/accept", json={"code": code, "password": "another password 123"})
    assert second.status_code == 404
    assert await sign_in(client, "kim@example.org")

    late = (await invite(client, keys, "ari@example.org", [Role.FRONT_DESK]))["invitation_code"]
    async with make_uow() as uow:  # type: ignore[operator]
        from sqlalchemy import text

        await uow.session.execute(text("UPDATE invitations SET expires_at = now() - interval '1 second'"))
        await uow.commit()
    expired = await client.post("/v1/invitations/accept", json={"code": late, "password": PASSWORD})
    assert expired.status_code == 404


async def test_a_short_password_is_refused_with_the_field_named(client: httpx.AsyncClient, keys: Keys) -> None:
    code = (await invite(client, keys, "jo@example.org", [Role.BILLER]))["invitation_code"]
    refused = await client.post("/v1/invitations/accept", json={"code": code, "password": "short"})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "password"
    accepted = await client.post("/v1/invitations/accept", json={"code": code, "password": PASSWORD})
    assert accepted.status_code == 200  # the refusal did not use the invitation up
