"""Tokens: key ids and rotation, lifetime caps by kind, and the wall between tenants and installation operators."""

import time
from datetime import timedelta
from uuid import uuid4

import jwt
import pytest
from claimstream_platform.access import Audit, allow, declared
from claimstream_platform.auth import (
    OPERATOR,
    Kind,
    LifetimeCaps,
    Operator,
    Principal,
    Role,
    TokenIssuer,
    TokenVerifier,
    generate_keypair,
    load_public_keys,
)
from claimstream_platform.errors import Unauthenticated


@pytest.fixture
def old_and_new(tmp_path):
    generate_keypair(tmp_path / "old.pem", tmp_path / "old.pub")
    generate_keypair(tmp_path / "new.pem", tmp_path / "new.pub")
    ring = tmp_path / "ring.pub"
    ring.write_text((tmp_path / "old.pub").read_text() + (tmp_path / "new.pub").read_text())
    return TokenIssuer.from_file(tmp_path / "old.pem"), TokenIssuer.from_file(tmp_path / "new.pem"), ring


def test_both_keys_verify_during_a_rotation_and_a_retired_key_does_not(old_and_new, tmp_path) -> None:
    old, new, ring = old_and_new
    verifier = TokenVerifier.from_file(ring)
    for issuer in (old, new):
        assert isinstance(verifier.verify(issuer.issue(tenant_id=uuid4(), roles=[Role.BILLER])), Principal)
    after = TokenVerifier.from_file(tmp_path / "new.pub")
    with pytest.raises(Unauthenticated, match="unknown key"):
        after.verify(old.issue(tenant_id=uuid4()))
    assert len(load_public_keys(ring)) == 2


def test_a_token_without_a_kid_or_with_a_wrong_one_is_refused(old_and_new) -> None:
    old, _, ring = old_and_new
    token = old.issue(tenant_id=uuid4())
    claims = jwt.decode(token, options={"verify_signature": False})
    for headers in ({}, {"kid": "someone-else"}):
        forged = jwt.encode(claims, old.private_key, algorithm="EdDSA", headers=headers)
        with pytest.raises(Unauthenticated):
            TokenVerifier.from_file(ring).verify(forged)


def test_lifetimes_are_capped_by_kind_when_issued_and_when_verified(old_and_new) -> None:
    old, _, ring = old_and_new
    with pytest.raises(ValueError, match="at most"):
        old.issue(tenant_id=uuid4(), kind=Kind.PERSON, lifetime=timedelta(hours=2))
    generous = TokenIssuer(old.private_key, caps=LifetimeCaps(person=timedelta(days=1)))
    long_lived = generous.issue(tenant_id=uuid4(), kind=Kind.PERSON, lifetime=timedelta(hours=2))
    with pytest.raises(Unauthenticated):
        TokenVerifier.from_file(ring).verify(long_lived)


def test_a_tenant_token_can_never_carry_operator_powers(old_and_new) -> None:
    old, _, ring = old_and_new
    verifier = TokenVerifier.from_file(ring)
    with pytest.raises(Unauthenticated):
        verifier.verify(old.issue(tenant_id=uuid4(), roles=[OPERATOR]))
    with pytest.raises(Unauthenticated):
        verifier.verify(old.issue(tenant_id=uuid4(), kind=Kind.OPERATOR))
    operator = verifier.verify(old.issue_operator(subject="operator:ana"))
    assert isinstance(operator, Operator) and operator.roles == {OPERATOR}


def test_an_operator_token_is_refused_where_operators_are_not_accepted(old_and_new) -> None:
    old, _, ring = old_and_new
    with pytest.raises(Unauthenticated, match="not issued for this API"):
        TokenVerifier.from_file(ring, operators=False).verify(old.issue_operator(subject="operator:ana"))


def test_a_route_declares_its_roles_and_refuses_unknown_ones() -> None:
    class Route:
        openapi_extra = allow(Role.BILLER, Role.TENANT_ADMIN, audit=Audit.MONEY)

    access = declared(Route())
    assert access is not None and access.audit is Audit.MONEY
    assert access.admits(frozenset({"biller"})) and not access.admits(frozenset({"front-desk"}))
    assert declared(object()) is None
    with pytest.raises(ValueError, match="unknown roles"):
        allow("superuser")
    with pytest.raises(ValueError):
        allow()


def test_the_simulated_clearinghouse_admits_its_own_account_and_operator_and_nothing_of_ours(tmp_path) -> None:
    from claimstream_platform.auth import (
        CLEARINGHOUSE_ACCOUNT,
        CLEARINGHOUSE_AUDIENCE,
        CLEARINGHOUSE_ISSUER,
        CLEARINGHOUSE_OPERATOR,
        verifier_for,
    )
    from claimstream_platform.settings import ServiceSettings

    generate_keypair(tmp_path / "sim.pem", tmp_path / "sim.pub")
    outside = TokenIssuer.from_file(tmp_path / "sim.pem", issuer=CLEARINGHOUSE_ISSUER, audience=CLEARINGHOUSE_AUDIENCE)
    settings = ServiceSettings.model_construct(
        auth_public_key_file=tmp_path / "sim.pub", auth_issuer=CLEARINGHOUSE_ISSUER
    )
    verifier = verifier_for(settings)
    for role in (CLEARINGHOUSE_ACCOUNT, CLEARINGHOUSE_OPERATOR):
        assert verifier.verify(outside.issue(tenant_id=uuid4(), roles=[role])).roles == {role}
    with pytest.raises(Unauthenticated):
        verifier.verify(outside.issue(tenant_id=uuid4(), roles=[Role.BILLER]))


def test_a_token_verified_once_is_remembered_until_it_expires_and_refused_after(old_and_new, monkeypatch) -> None:
    old, _, ring = old_and_new
    verifier = TokenVerifier.from_file(ring)
    token = old.issue(tenant_id=uuid4(), roles=[Role.BILLER], lifetime=timedelta(seconds=1))
    first = verifier.verify(token)
    with monkeypatch.context() as patched:
        patched.setattr(jwt, "decode", _never)
        assert verifier.verify(token) is first  # from memory: no signature checked again
    expires = verifier._verified[token][1]
    while time.time() < expires:  # the token's last second
        time.sleep(0.05)
    with pytest.raises(Unauthenticated, match="expired"):
        verifier.verify(token)


def _never(*_: object, **__: object) -> None:
    raise AssertionError("the signature was checked again")
