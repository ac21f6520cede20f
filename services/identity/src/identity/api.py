"""Identity's sessions API: sign in (people and operators), renew, sign out, and accept an invitation. HTTP only:
the work is in sessions.py and handlers.py.

Signing in and accepting an invitation are the only routes a caller reaches without our bearer token: both take
their secret in the body (never in the URL) and answer the same whatever was wrong with it."""

from datetime import datetime
from typing import Annotated

from claimstream_platform.access import allow, public
from claimstream_platform.auth import OPERATOR, Kind, Role
from claimstream_platform.web import CurrentCaller, get_unit_of_work
from fastapi import APIRouter, Depends, HTTPException, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from identity import handlers, sessions
from identity.credentials import Issued, Passwords, Signer
from identity.repository import IdentityWork

router = APIRouter(tags=["sessions"])
IdentityWorkDep = Annotated[IdentityWork, Depends(get_unit_of_work)]
EVERYONE = (*Role, OPERATOR)
SMALL_BODY = 4_096


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SignInIn(Strict):
    email: Annotated[str, Field(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")]
    password: Annotated[str, Field(min_length=1, max_length=256)]


class AcceptIn(Strict):
    code: Annotated[str, Field(min_length=16, max_length=64)]
    password: Annotated[str, Field(min_length=1, max_length=256)]


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "Bearer"
    expires_at: datetime


class AcceptedOut(BaseModel):
    user_id: str
    subject: str


def signer(request: Request) -> Signer:
    found: Signer = request.app.state.signer
    return found


def passwords(request: Request) -> Passwords:
    found: Passwords = request.app.state.passwords
    return found


SignerDep = Annotated[Signer, Depends(signer)]
PasswordsDep = Annotated[Passwords, Depends(passwords)]


def _token(issued: Issued) -> TokenOut:
    return TokenOut(access_token=issued.token, expires_at=issued.expires_at)


async def _sign_in(request: Request, uow: IdentityWork, kind: Kind, body: SignInIn) -> TokenOut:
    client = request.client.host if request.client else None
    attempt = sessions.Attempt(kind, body.email, body.password, client)
    try:
        return _token(await sessions.sign_in(uow, passwords(request), signer(request), attempt))
    except sessions.TooManyAttempts as waiting:
        seconds = max(int(waiting.retry_after.total_seconds()), 1)
        raise HTTPException(429, str(waiting), headers={"Retry-After": str(seconds)}) from None


@router.post(
    "/v1/sign-in",
    response_model=TokenOut,
    openapi_extra=public("a person signs in with email and password", max_body_bytes=SMALL_BODY),
)
async def sign_in(body: SignInIn, request: Request, uow: IdentityWorkDep) -> TokenOut:
    """A token for an hour (renew it before it ends). An unknown email and a wrong password get the same 401;
    repeated failures for one email make the next attempt wait (429 with Retry-After)."""
    return await _sign_in(request, uow, Kind.PERSON, body)


@router.post(
    "/v1/operators/sign-in",
    response_model=TokenOut,
    openapi_extra=public("an installation operator signs in with email and password", max_body_bytes=SMALL_BODY),
)
async def operator_sign_in(body: SignInIn, request: Request, uow: IdentityWorkDep) -> TokenOut:
    """An installation operator's token (its own issuer and audience: no tenant's data) for an hour."""
    return await _sign_in(request, uow, Kind.OPERATOR, body)


@router.post("/v1/session/renew", response_model=TokenOut, openapi_extra=allow(*EVERYONE))
async def renew(caller: CurrentCaller, uow: IdentityWorkDep, signer: SignerDep) -> TokenOut:
    """Before the token ends: a new one with the roles held now, while the account is enabled; the old one is
    revoked. An integration's tokens are issued by its administrator instead (403)."""
    return _token(await sessions.renew(uow, signer, caller))


@router.post("/v1/session/sign-out", status_code=204, openapi_extra=allow(*EVERYONE))
async def sign_out(caller: CurrentCaller, uow: IdentityWorkDep, signer: SignerDep) -> Response:
    """The token is revoked: every service refuses it within about a second."""
    await sessions.sign_out(uow, signer, caller)
    return Response(status_code=204)


@router.post(
    "/v1/invitations/accept",
    response_model=AcceptedOut,
    openapi_extra=public(
        "an invited person sets their password with the code they were given", max_body_bytes=SMALL_BODY
    ),
)
async def accept_invitation(body: AcceptIn, uow: IdentityWorkDep, passwords: PasswordsDep) -> AcceptedOut:
    """The invitation's code (once, before it expires) and a password of at least 12 characters; then sign in."""
    async with uow:
        account = await handlers.accept(uow, passwords, body.code, body.password)
        await uow.commit()
    return AcceptedOut(user_id=str(account.id), subject=account.subject)
