"""A tenant administrator's API: people (invite, list, change roles and practices, disable) and integrations (create,
issue and revoke their tokens). Every route is the tenant administrator's; another tenant's accounts are not found.
HTTP only: the work is in handlers.py, each command committed by `run_command` with its access-log row."""

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from claimstream_platform.access import allow
from claimstream_platform.auth import Principal, Role
from claimstream_platform.idempotency import run_command
from claimstream_platform.paging import Paging
from claimstream_platform.web import WholeTenantPrincipal
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from identity import handlers
from identity.api import IdentityWorkDep, SignerDep
from identity.domain import Account, Actor

router = APIRouter(tags=["users and integrations"])
ADMIN = allow(Role.TENANT_ADMIN)
Name = Annotated[str, Field(min_length=1, max_length=200)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AccessIn(Strict):
    roles: Annotated[list[Role], Field(min_length=1, max_length=len(Role))]
    practice_ids: Annotated[list[UUID], Field(min_length=1, max_length=500)] | None = None  # None: every practice

    def access(self) -> handlers.Access:
        practices = frozenset(self.practice_ids) if self.practice_ids is not None else None
        return handlers.Access(frozenset(str(role) for role in self.roles), practices)


class InviteIn(AccessIn):
    email: Annotated[str, Field(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")]
    name: Name


class IntegrationIn(AccessIn):
    name: Name


class TokenIn(Strict):
    days: Annotated[int, Field(ge=1, le=366)]  # and at most the installation's integration_token_max_days


class UserOut(BaseModel):
    id: UUID
    subject: str
    kind: Literal["person", "integration"]
    email: str | None
    name: str
    roles: list[str]
    practice_ids: list[UUID] | None
    status: Literal["invited", "active", "disabled"]


class InvitedOut(BaseModel):
    user: UserOut
    invitation_code: str  # shown once: hand it to the person, who accepts it with a password
    expires_at: datetime


class IntegrationTokenOut(BaseModel):
    jti: str
    token: str  # shown once
    expires_at: datetime


class UsersPage(BaseModel):
    items: list[UserOut]
    next_cursor: UUID | None


def user_out(account: Account) -> UserOut:
    status = "disabled" if account.disabled_at else ("active" if account.enabled else "invited")
    practices = sorted(account.practice_ids) if account.practice_ids is not None else None
    kind: Literal["person", "integration"] = "integration" if account.kind == "integration" else "person"
    return UserOut(
        id=account.id,
        subject=account.subject,
        kind=kind,
        email=account.email,
        name=account.name,
        roles=sorted(account.roles),
        practice_ids=practices,
        status=status,
    )


def actor(principal: Principal, request: Request) -> Actor:
    return Actor(principal.subject, str(principal.kind), request.client.host if request.client else None)


def invited_out(invitation: handlers.Invitation) -> InvitedOut:
    return InvitedOut(
        user=user_out(invitation.account), invitation_code=invitation.code, expires_at=invitation.expires_at
    )


@router.post("/v1/users", response_model=InvitedOut, status_code=201, openapi_extra=ADMIN)
async def invite_user(
    body: InviteIn, request: Request, principal: WholeTenantPrincipal, uow: IdentityWorkDep
) -> InvitedOut:
    """A person of your tenant, with roles and (optionally) practices, and the one-time invitation code (7 days)
    they accept with a password at `POST /v1/invitations/accept`. The code is shown once and never stored (only
    its hash): this route keeps no Idempotency-Key replay, which would store it."""
    async with uow:
        by = actor(principal, request)
        invitation = await handlers.invite(uow, principal.tenant_id, body.email, body.name, body.access(), by)
        await uow.commit()
    return invited_out(invitation)


@router.post("/v1/users/{user_id}/invitations", response_model=InvitedOut, status_code=201, openapi_extra=ADMIN)
async def reinvite_user(
    user_id: UUID, request: Request, principal: WholeTenantPrincipal, uow: IdentityWorkDep
) -> InvitedOut:
    """A new code for a person who has not accepted their invitation yet."""
    async with uow:
        invitation = await handlers.reinvite(uow, principal, user_id, actor(principal, request))
        await uow.commit()
    return invited_out(invitation)


@router.get("/v1/users", response_model=UsersPage, openapi_extra=ADMIN)
async def list_users(principal: WholeTenantPrincipal, uow: IdentityWorkDep, paging: Paging) -> UsersPage:
    """Your tenant's people and integrations, a page at a time (`next_cursor` asks for the next)."""
    async with uow:
        found, next_cursor = await uow.accounts.page(principal.tenant_id, limit=paging.limit, cursor=paging.cursor)
    return UsersPage(items=[user_out(account) for account in found], next_cursor=next_cursor)


@router.patch("/v1/users/{user_id}", response_model=UserOut, openapi_extra=ADMIN)
async def change_access(
    user_id: UUID,
    body: AccessIn,
    request: Request,
    principal: WholeTenantPrincipal,
    uow: IdentityWorkDep,
    signer: SignerDep,
) -> JSONResponse:
    """New roles and practices for a person or integration; the tokens they hold are revoked (sign in again)."""

    async def operation() -> UserOut:
        by = actor(principal, request)
        return user_out(await handlers.set_access(uow, signer, principal, user_id, body.access(), by))

    return await run_command(request, principal=principal, uow=uow, body=body, operation=operation, status_code=200)


@router.post("/v1/users/{user_id}/disable", response_model=UserOut, openapi_extra=ADMIN)
async def disable_user(
    user_id: UUID, request: Request, principal: WholeTenantPrincipal, uow: IdentityWorkDep, signer: SignerDep
) -> JSONResponse:
    """The person or integration can no longer sign in, and every token it holds is refused from now on."""

    async def operation() -> UserOut:
        return user_out(await handlers.disable(uow, signer, principal, user_id, actor(principal, request)))

    return await run_command(request, principal=principal, uow=uow, body=None, operation=operation, status_code=200)


@router.post("/v1/integrations", response_model=UserOut, status_code=201, openapi_extra=ADMIN)
async def create_integration(
    body: IntegrationIn, request: Request, principal: WholeTenantPrincipal, uow: IdentityWorkDep
) -> JSONResponse:
    """An integration (an EHR's feed, a script) of your tenant: a subject of its own, its roles, no password."""

    async def operation() -> UserOut:
        by = actor(principal, request)
        return user_out(await handlers.create_integration(uow, principal.tenant_id, body.name, body.access(), by))

    return await run_command(request, principal=principal, uow=uow, body=body, operation=operation)


@router.post(
    "/v1/integrations/{integration_id}/tokens",
    response_model=IntegrationTokenOut,
    status_code=201,
    openapi_extra=ADMIN,
)
async def issue_integration_token(
    integration_id: UUID,
    body: TokenIn,
    request: Request,
    principal: WholeTenantPrincipal,
    uow: IdentityWorkDep,
    signer: SignerDep,
) -> IntegrationTokenOut:
    """A token for the integration, living `days` (at most the installation's cap), shown once and never stored
    (identity keeps its id): no Idempotency-Key replay."""
    async with uow:
        by = actor(principal, request)
        issued = await handlers.issue_token(uow, signer, principal.tenant_id, integration_id, body.days, by)
        await uow.commit()
    return IntegrationTokenOut(jti=issued.jti, token=issued.token, expires_at=issued.expires_at)


@router.post("/v1/integrations/{integration_id}/tokens/{jti}/revoke", status_code=204, openapi_extra=ADMIN)
async def revoke_integration_token(
    integration_id: UUID, jti: str, request: Request, principal: WholeTenantPrincipal, uow: IdentityWorkDep
) -> Response:
    """The token is refused by every service within about a second."""
    async with uow:
        await handlers.revoke_token(uow, principal, integration_id, jti, actor(principal, request))
        await uow.commit()
    return Response(status_code=204)
