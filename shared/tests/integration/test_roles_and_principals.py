"""Who may call a route, on a real app: the route's declared roles, the wall between a tenant's users and the
installation's operators, and a refused request that changes nothing."""

from datetime import timedelta
from uuid import uuid4

import pytest
from claimstream_devtools.testing import app_client
from claimstream_platform.access import allow
from claimstream_platform.auth import OPERATOR, Kind, Role, TokenIssuer, generate_keypair
from claimstream_platform.web import create_app
from example.service import entries
from fastapi import APIRouter
from sqlalchemy import func, select


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def entry_count(sessionmaker) -> int:
    async with sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(entries)) or 0)


@pytest.mark.parametrize("role", [Role.FRONT_DESK, Role.READ_ONLY, Role.AUDITOR, Role.TENANT_ADMIN])
async def test_a_role_the_route_does_not_declare_is_403_and_changes_nothing(client, keys, sessionmaker, role) -> None:
    tenant, practice = uuid4(), uuid4()
    before = await entry_count(sessionmaker)
    token = keys.issuer.issue(tenant_id=tenant, roles=[role])
    response = await client.post(f"/v1/practices/{practice}/entries", json={"amount": "1.00"}, headers=bearer(token))
    assert response.status_code == 403 and response.json()["detail"] == "your role does not allow this action"
    assert await entry_count(sessionmaker) == before


async def test_a_declared_role_is_let_through(client, keys) -> None:
    token = keys.issuer.issue(tenant_id=uuid4(), roles=[Role.EHR_INTEGRATION], subject="integration:ehr")
    response = await client.post(f"/v1/practices/{uuid4()}/entries", json={"amount": "1.00"}, headers=bearer(token))
    assert response.status_code == 201


async def test_a_tenant_token_claiming_operator_powers_is_401_and_changes_nothing(client, keys, sessionmaker):
    before = await entry_count(sessionmaker)
    forged = keys.issuer.issue(tenant_id=uuid4(), roles=[OPERATOR])
    response = await client.post(f"/v1/practices/{uuid4()}/entries", json={"amount": "1.00"}, headers=bearer(forged))
    assert response.status_code == 401
    as_operator_kind = keys.issuer.issue(tenant_id=uuid4(), kind=Kind.OPERATOR, roles=[Role.BILLER])
    response = await client.post(
        f"/v1/practices/{uuid4()}/entries", json={"amount": "1.00"}, headers=bearer(as_operator_kind)
    )
    assert response.status_code == 401
    assert await entry_count(sessionmaker) == before


async def test_an_operator_has_no_business_on_a_tenant_route(client, keys, sessionmaker) -> None:
    before = await entry_count(sessionmaker)
    operator = keys.issuer.issue_operator(subject="operator:sam")
    response = await client.post(f"/v1/practices/{uuid4()}/entries", json={"amount": "1.00"}, headers=bearer(operator))
    assert response.status_code == 403
    assert await entry_count(sessionmaker) == before


async def test_operator_tokens_signed_for_a_tenant_audience_are_refused(client, keys) -> None:
    """An operator's claims on the tenants' issuer and audience are a forgery, whatever the signature."""
    tenants_issuer = TokenIssuer(keys.issuer.private_key)
    forged = tenants_issuer._sign(
        {"sub": "operator:sam"}, kind=Kind.OPERATOR, lifetime=timedelta(minutes=5), roles=[OPERATOR]
    )
    assert (await client.get(f"/v1/entries/{uuid4()}", headers=bearer(forged))).status_code == 401


async def test_a_route_without_a_declaration_is_refused_whoever_calls(keys, settings) -> None:
    """The platform fails closed: a route that forgot its declaration answers 403 even to every role."""
    forgotten = APIRouter()

    @forgotten.get("/v1/forgotten")
    async def forgotten_route() -> dict[str, str]:
        return {"secret": "x"}

    @forgotten.get("/v1/declared", openapi_extra=allow(Role.BILLER))
    async def declared_route() -> dict[str, str]:
        return {"ok": "yes"}

    token = bearer(keys.issuer.issue(tenant_id=uuid4()))
    async with app_client(create_app(settings, title="t", routers=[forgotten]), settings) as http:
        assert (await http.get("/v1/forgotten", headers=token)).status_code == 403
        assert (await http.get("/v1/declared", headers=token)).status_code == 200


async def test_a_token_with_a_known_kid_and_another_keys_signature_is_401(client, keys, tmp_path) -> None:
    generate_keypair(tmp_path / "other.pem", tmp_path / "other.pub")
    tenant = uuid4()
    header, payload, _ = keys.issuer.issue(tenant_id=tenant).split(".")
    _, _, signature = TokenIssuer.from_file(tmp_path / "other.pem").issue(tenant_id=tenant).split(".")
    response = await client.get(f"/v1/entries/{uuid4()}", headers=bearer(f"{header}.{payload}.{signature}"))
    assert (response.status_code, response.json()["detail"]) == (401, "token signature invalid")
