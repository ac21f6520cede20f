"""The REST layer of a service built on the platform: authentication, tenancy, problems, idempotency."""

import asyncio
import base64
import hashlib
import hmac
import json
from datetime import timedelta
from uuid import uuid4

import pytest
from claimstream_platform.auth import TokenIssuer, generate_keypair
from claimstream_platform.middleware import MAX_BODY_BYTES
from example.service import entries
from sqlalchemy import func, select


@pytest.fixture
def tenant():
    return uuid4()


@pytest.fixture
def practice():
    return uuid4()


def hand_made_token(claims: dict, algorithm: str, key: bytes) -> str:
    """Built by hand: libraries rightly refuse to make `none` tokens or HMAC ones keyed with a public key."""

    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    signing_input = f"{part({'alg': algorithm, 'typ': 'JWT'})}.{part(claims)}"
    if algorithm == "none":
        return signing_input + "."
    signature = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + base64.urlsafe_b64encode(signature).rstrip(b"=").decode()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def auth(keys, tenant, practice) -> dict[str, str]:
    return bearer(keys.issuer.issue(tenant_id=tenant, practice_ids=[practice]))


async def count_entries(sessionmaker) -> int:
    async with sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(entries)) or 0)


async def test_health_is_open_and_readiness_checks_database_and_kafka(client) -> None:
    assert (await client.get("/healthz")).status_code == 200
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": True, "kafka": True}


class TestAuthentication:
    async def test_a_missing_token_is_401_with_a_problem(self, client, practice) -> None:
        response = await client.post(f"/v1/practices/{practice}/entries", json={"amount": "1.00"})
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert response.json()["detail"] == "a bearer token is required"

    async def test_an_expired_token_is_401(self, client, keys, tenant, practice) -> None:
        token = keys.issuer.issue(tenant_id=tenant, lifetime=timedelta(seconds=-1))
        response = await client.post(
            f"/v1/practices/{practice}/entries", json={"amount": "1.00"}, headers=bearer(token)
        )
        assert (response.status_code, response.json()["detail"]) == (401, "token expired")

    async def test_a_token_signed_by_another_key_is_401(self, client, tmp_path, tenant, practice) -> None:
        generate_keypair(tmp_path / "other.pem", tmp_path / "other.pub")
        forged = TokenIssuer.from_file(tmp_path / "other.pem").issue(tenant_id=tenant)
        response = await client.get(f"/v1/entries/{uuid4()}", headers=bearer(forged))
        assert (response.status_code, response.json()["detail"]) == (401, "token signed by an unknown key")

    @pytest.mark.parametrize("algorithm", ["none", "HS256"])
    async def test_unsigned_or_hmac_tokens_are_401(self, client, keys, tenant, algorithm) -> None:
        claims = {
            "iss": "claimstream",
            "aud": "claimstream-api",
            "sub": "x",
            "exp": 9999999999,
            "iat": 0,
            "jti": "j",
            "tid": str(tenant),
            "practices": "*",
        }
        token = hand_made_token(claims, algorithm, keys.public_key_file.read_bytes())
        response = await client.get(f"/v1/entries/{uuid4()}", headers=bearer(token))
        assert response.status_code == 401

    async def test_a_token_for_another_audience_is_401(self, client, keys, tenant) -> None:
        issuer = TokenIssuer(keys.issuer.private_key, audience="someone-else")
        response = await client.get(f"/v1/entries/{uuid4()}", headers=bearer(issuer.issue(tenant_id=tenant)))
        assert (response.status_code, response.json()["detail"]) == (401, "token not issued for this API")

    async def test_another_tenants_object_is_404(self, client, keys, auth, practice) -> None:
        created = await client.post(f"/v1/practices/{practice}/entries", json={"amount": "12.34"}, headers=auth)
        entry = created.json()["id"]
        assert (await client.get(f"/v1/entries/{entry}", headers=auth)).status_code == 200
        stranger = bearer(keys.issuer.issue(tenant_id=uuid4()))
        response = await client.get(f"/v1/entries/{entry}", headers=stranger)
        assert response.status_code == 404
        assert response.json()["title"] == "NotFound"

    async def test_a_practice_outside_the_tokens_scope_is_404_and_nothing_is_written(
        self, client, keys, tenant, sessionmaker
    ) -> None:
        scoped = bearer(keys.issuer.issue(tenant_id=tenant, practice_ids=[uuid4()]))
        response = await client.post(f"/v1/practices/{uuid4()}/entries", json={"amount": "1.00"}, headers=scoped)
        assert response.status_code == 404
        assert await count_entries(sessionmaker) == 0


class TestProblems:
    async def test_malformed_json_is_400(self, client, auth, practice, sessionmaker) -> None:
        response = await client.post(
            f"/v1/practices/{practice}/entries",
            content=b'{"amount": ',
            headers=auth | {"content-type": "application/json"},
        )
        assert response.status_code == 400
        assert response.json()["type"] == "urn:claimstream:problem:malformed-json"
        assert await count_entries(sessionmaker) == 0

    async def test_unknown_and_missing_fields_are_each_listed_without_their_values(
        self, client, auth, practice
    ) -> None:
        response = await client.post(
            f"/v1/practices/{practice}/entries", json={"amont": "Jane Doe 1980-02-03"}, headers=auth
        )
        problem = response.json()
        assert response.status_code == 422
        assert {(e["field"], e["code"]) for e in problem["errors"]} == {
            ("amount", "missing"),
            ("amont", "extra_forbidden"),
        }
        assert "Jane" not in response.text

    async def test_a_bad_path_parameter_names_the_field(self, client, auth) -> None:
        response = await client.post("/v1/practices/not-a-uuid/entries", json={"amount": "1.00"}, headers=auth)
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "path.practice_id"

    async def test_an_unknown_route_is_a_404_problem(self, client, auth) -> None:
        response = await client.get("/v1/nothing-here", headers=auth)
        assert (response.status_code, response.headers["content-type"]) == (404, "application/problem+json")

    async def test_an_oversized_body_is_413_before_it_is_read(self, client, auth, practice) -> None:
        response = await client.post(
            f"/v1/practices/{practice}/entries",
            content=b"{" + b" " * MAX_BODY_BYTES + b"}",
            headers=auth | {"content-type": "application/json"},
        )
        assert (response.status_code, response.json()["detail"]) == (413, f"the limit is {MAX_BODY_BYTES} bytes")

    async def test_a_chunked_body_over_the_limit_is_413_without_being_read_whole(self, client, auth, practice) -> None:
        sent = 0

        async def twenty_mib():
            nonlocal sent
            for _ in range(320):  # 320 x 64 KiB = 20 MiB, with no Content-Length
                sent += 64 * 1024
                yield b" " * (64 * 1024)

        response = await client.post(
            f"/v1/practices/{practice}/entries",
            content=twenty_mib(),
            headers=auth | {"content-type": "application/json"},
        )
        assert response.status_code == 413
        assert sent <= MAX_BODY_BYTES + 64 * 1024  # reading stopped at the limit

    async def test_a_body_nested_too_deeply_is_400_not_500(self, client, auth, practice) -> None:
        body = b"[" * 30_000 + b"]" * 30_000  # within the default cap, far past the parser's depth
        response = await client.post(
            f"/v1/practices/{practice}/entries", content=body, headers=auth | {"content-type": "application/json"}
        )
        assert response.status_code == 400

    async def test_a_control_character_in_the_body_or_query_is_422_naming_the_field(
        self, client, auth, practice, sessionmaker
    ) -> None:
        response = await client.post(f"/v1/practices/{practice}/entries", json={"amount": "1\u0000"}, headers=auth)
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "amount"
        response = await client.get("/v1/entries/x", params={"q": "a\x00b"}, headers=auth)
        assert (response.status_code, response.json()["errors"][0]["field"]) == (422, "q")
        assert await count_entries(sessionmaker) == 0


class TestIdempotencyKey:
    async def test_a_retry_with_the_same_key_replays_the_first_response(
        self, client, auth, practice, sessionmaker
    ) -> None:
        headers = auth | {"Idempotency-Key": "key-1"}
        first = await client.post(f"/v1/practices/{practice}/entries", json={"amount": "50.00"}, headers=headers)
        second = await client.post(f"/v1/practices/{practice}/entries", json={"amount": "50.00"}, headers=headers)
        assert first.status_code == second.status_code == 201
        assert second.json() == first.json()
        assert second.headers["idempotent-replayed"] == "true"
        assert await count_entries(sessionmaker) == 1

    async def test_the_same_key_with_another_body_is_refused(self, client, auth, practice, sessionmaker) -> None:
        headers = auth | {"Idempotency-Key": "key-2"}
        await client.post(f"/v1/practices/{practice}/entries", json={"amount": "50.00"}, headers=headers)
        response = await client.post(f"/v1/practices/{practice}/entries", json={"amount": "60.00"}, headers=headers)
        assert response.status_code == 422
        assert response.json()["errors"] == [
            {"field": "Idempotency-Key", "reason": "this Idempotency-Key was used with a different request body"}
        ]
        assert await count_entries(sessionmaker) == 1

    async def test_ten_concurrent_posts_with_one_key_create_one_entry(
        self, client, auth, practice, sessionmaker
    ) -> None:
        headers = auth | {"Idempotency-Key": "key-3"}
        responses = await asyncio.gather(
            *[
                client.post(f"/v1/practices/{practice}/entries", json={"amount": "7.00"}, headers=headers)
                for _ in range(10)
            ]
        )
        assert {r.status_code for r in responses} == {201}
        assert len({json.dumps(r.json(), sort_keys=True) for r in responses}) == 1
        assert await count_entries(sessionmaker) == 1

    async def test_keys_are_scoped_to_the_tenant(self, client, keys, auth, practice, sessionmaker) -> None:
        other_practice = uuid4()
        other = bearer(keys.issuer.issue(tenant_id=uuid4(), practice_ids=[other_practice]))
        await client.post(
            f"/v1/practices/{practice}/entries", json={"amount": "1.00"}, headers=auth | {"Idempotency-Key": "k"}
        )
        await client.post(
            f"/v1/practices/{other_practice}/entries", json={"amount": "1.00"}, headers=other | {"Idempotency-Key": "k"}
        )
        assert await count_entries(sessionmaker) == 2

    async def test_a_key_is_scoped_to_the_resource_it_was_sent_to(self, client, keys, tenant, sessionmaker) -> None:
        """The same key and body on another practice's path is another request: it is applied, not replayed."""
        first, second = uuid4(), uuid4()
        both = bearer(keys.issuer.issue(tenant_id=tenant, practice_ids=[first, second])) | {"Idempotency-Key": "k"}
        one = await client.post(f"/v1/practices/{first}/entries", json={"amount": "1.00"}, headers=both)
        other = await client.post(f"/v1/practices/{second}/entries", json={"amount": "1.00"}, headers=both)
        assert one.status_code == other.status_code == 201
        assert "idempotent-replayed" not in other.headers and other.json() != one.json()
        assert await count_entries(sessionmaker) == 2


async def test_metrics_and_access_logs_name_the_route_never_its_ids_or_query(client, keys, tenant) -> None:
    import logging

    from claimstream_platform.telemetry import configure_telemetry

    configure_telemetry(service_name="example-ledger", otlp_endpoint=None)  # the meter provider, once per process
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    logging.getLogger("claimstream.access").addHandler(handler)
    headers = {"Authorization": f"Bearer {keys.issuer.issue(tenant_id=tenant)}"}
    missing = uuid4()
    try:
        assert (await client.get(f"/v1/entries/{missing}?member=W123456789", headers=headers)).status_code == 404
    finally:
        logging.getLogger("claimstream.access").removeHandler(handler)
    (line,) = records
    assert (line.method, line.route, line.status) == ("GET", "/v1/entries/{entry_id}", "404")
    assert str(missing) not in line.getMessage() and "W123456789" not in str(vars(line))
    scraped = await client.get("/metrics")
    assert scraped.status_code == 200 and scraped.headers["content-type"].startswith("text/plain; version=0.0.4")
    assert 'claimstream_http_requests_total{method="GET",route="/v1/entries/{entry_id}",status="404"}' in scraped.text
    assert str(missing) not in scraped.text and "W123456789" not in scraped.text


async def test_the_openapi_documents_problems_and_bearer_auth_and_the_docs_work_offline(client) -> None:
    schema = (await client.get("/openapi.json")).json()
    assert schema["components"]["securitySchemes"]["bearer"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
    }
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    operation = schema["paths"]["/v1/entries/{entry_id}"]["get"]
    assert operation["security"] == [{"bearer": []}]
    for status in ("401", "404", "422", "503"):
        content = operation["responses"][status]["content"]
        assert content == {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}, status
    assert "security" not in schema["paths"]["/readyz"]["get"]
    page = await client.get("/docs")
    assert page.status_code == 200 and "/docs/assets/swagger-ui-bundle.js" in page.text and "cdn" not in page.text
    asset = await client.get("/docs/assets/swagger-ui-bundle.js")
    assert asset.status_code == 200 and len(asset.content) > 100_000
    assert "/docs/assets/redoc.standalone.js" in (await client.get("/redoc")).text
