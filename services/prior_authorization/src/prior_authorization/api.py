"""Prior authorization's REST API: request an authorization from the payer (a 278, idempotent), enter one obtained
by phone or portal, ask for a renewal, and read them with what is left and what used it. HTTP only: the work is in
handlers.py."""

from datetime import UTC, date, datetime
from typing import Annotated, Literal, Self
from uuid import UUID

from claimstream_platform.auth import Principal
from claimstream_platform.errors import NotFound, RuleViolation
from claimstream_platform.idempotency import run_command
from claimstream_platform.payer_inquiry import CoverageIn, PatientIn, ProviderIn, Strict
from claimstream_platform.web import CurrentPrincipal, UnitOfWorkDep
from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, StringConstraints, model_validator

from prior_authorization import handlers
from prior_authorization.domain import Authorization, Patient
from prior_authorization.repository import authorizations as store
from prior_authorization.repository import consumptions

router = APIRouter(tags=["prior authorization"])
Code = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{5}$")]
Diagnosis = Annotated[str, StringConstraints(pattern=r"^[A-Z][0-9][0-9A-Z](\.?[0-9A-Z]{1,4})?$")]
Number = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9-]{1,50}$")]
Quantity = Annotated[int, Field(ge=1, le=999)]


class AuthorizationIn(Strict):
    practice_id: UUID
    patient: PatientIn
    coverage: CoverageIn
    provider: ProviderIn
    codes: Annotated[list[Code], Field(min_length=1, max_length=12)]
    quantity: Quantity
    unit: Literal["visits", "units"] = "visits"
    start: date
    end: date
    diagnoses: Annotated[list[Diagnosis], Field(max_length=12)] = []

    @model_validator(mode="after")
    def _span(self) -> Self:
        if not 0 <= (self.end - self.start).days <= 366:
            raise ValueError("end must fall on or after start, within a year of it")
        return self


class ManualIn(AuthorizationIn):
    authorization_number: Number
    approved: Quantity


class RenewalIn(Strict):
    visits: Quantity
    start: date | None = None  # today when unsaid


class UseOut(BaseModel):
    encounter_id: UUID
    version: int
    service_date: date
    used: int
    consumed_at: datetime
    returned_at: datetime | None


class AuthorizationOut(BaseModel):
    id: UUID
    practice_id: UUID
    patient_ref: str
    payer_id: str
    provider_npi: str
    codes: list[str]
    unit: str
    requested: int
    status: str  # requested | pended | approved | denied | not_required
    source: str
    authorization_number: str
    approved: int
    used: int
    remaining: int
    start: date
    end: date
    days_left: int
    partial: bool
    reason: str
    previous_number: str
    uses: list[UseOut] | None = None  # its consumption history (one authorization read by id)


def out(x: Authorization, uses: list[UseOut] | None = None) -> AuthorizationOut:
    days_left = max((x.end - datetime.now(UTC).date()).days, 0)
    return AuthorizationOut(
        id=x.id, practice_id=x.practice_id, patient_ref=x.patient.external_id, payer_id=x.payer_id,
        provider_npi=x.provider_npi, codes=list(x.codes), unit=x.unit, requested=x.requested, status=x.status,
        source=x.source, authorization_number=x.number, approved=x.approved, used=x.used, remaining=x.remaining,
        start=x.start, end=x.end, days_left=days_left, partial=x.partial, reason=x.reason,
        previous_number=x.previous_number, uses=uses,
    )  # fmt: skip


def _authorization(principal: Principal, body: AuthorizationIn) -> Authorization:
    principal.require_practice(body.practice_id)
    p = body.patient
    return Authorization(
        principal.tenant_id, body.practice_id, Patient(p.external_id, p.first_name, p.last_name, p.birth_date),
        body.coverage.payer_id, body.coverage.member_id, body.provider.npi, body.provider.name,
        tuple(dict.fromkeys(body.codes)), body.quantity, body.unit, body.start, body.end,
        diagnoses=tuple(body.diagnoses),
    )  # fmt: skip


@router.post("/v1/authorizations", response_model=AuthorizationOut, status_code=201)
async def request_authorization(body: AuthorizationIn, request: Request, principal: CurrentPrincipal,
                                uow: UnitOfWorkDep) -> JSONResponse:  # fmt: skip
    """Ask the payer now (a 278 request, answered by a 278 response); the decision comes back with it: approved,
    partly approved, denied, pended (followed until decided) or not required. Idempotency-Key."""
    authorization, state = _authorization(principal, body), request.app.state

    async def operation() -> AuthorizationOut:
        return out(await handlers.request(uow, state.clearinghouse, state.sender, authorization))

    return await run_command(request, principal=principal, uow=uow, body=body, operation=operation)


@router.post("/v1/authorizations/manual", response_model=AuthorizationOut, status_code=201)
async def enter_authorization(body: ManualIn, request: Request, principal: CurrentPrincipal,
                              uow: UnitOfWorkDep) -> JSONResponse:  # fmt: skip
    """An authorization obtained by phone or portal, entered with its number and what was approved."""
    authorization = _authorization(principal, body)

    async def operation() -> AuthorizationOut:
        return out(await handlers.enter(uow, authorization, body.authorization_number, body.approved))

    return await run_command(request, principal=principal, uow=uow, body=body, operation=operation)


@router.post("/v1/authorizations/{authorization_id}/renewals", response_model=AuthorizationOut, status_code=202)
async def renew_authorization(authorization_id: UUID, body: RenewalIn, request: Request,
                              principal: CurrentPrincipal, uow: UnitOfWorkDep) -> JSONResponse:  # fmt: skip
    """A renewal or extension: a new 278 request citing this authorization's number, sent by the worker."""

    async def operation() -> AuthorizationOut:
        current = await store.find(uow, principal, authorization_id)
        if current is None:
            raise NotFound("authorization not found", field="authorization_id")
        if current.status != "approved":
            raise RuleViolation(f"a {current.status} authorization cannot be renewed", field="authorization_id")
        return out(await handlers.renew(uow, current, body.visits, body.start or datetime.now(UTC).date()))

    return await run_command(request, principal=principal, uow=uow, body=body, operation=operation, status_code=202)


class Page(BaseModel):
    items: list[AuthorizationOut]


@router.get("/v1/authorizations", response_model=Page)
async def list_authorizations(
    principal: CurrentPrincipal, uow: UnitOfWorkDep, practice_id: UUID | None = None,
    patient: Annotated[str | None, Query(pattern=r"^[A-Za-z0-9-]{1,80}$")] = None,
    status: Literal["requested", "pended", "approved", "denied", "not_required"] | None = None,
    expiring_before: date | None = None, limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Page:  # fmt: skip
    """Authorizations with what is left (units or visits, and days), the soonest ending first."""
    if practice_id is not None:
        principal.require_practice(practice_id)
    async with uow:
        found = await store.listing(uow, principal, practice_id=practice_id, patient=patient, status=status,
                                    expiring_before=expiring_before, limit=limit)  # fmt: skip
    return Page(items=[out(x) for x in found])


@router.get("/v1/authorizations/{authorization_id}", response_model=AuthorizationOut)
async def get_authorization(authorization_id: UUID, principal: CurrentPrincipal, uow: UnitOfWorkDep
                            ) -> AuthorizationOut:  # fmt: skip
    """One authorization with its consumption history: each encounter that used it, and what it gave back."""
    async with uow:
        found = await store.find(uow, principal, authorization_id)
        if found is None:
            raise NotFound("authorization not found", field="authorization_id")
        uses = [UseOut.model_validate(row, from_attributes=True) for row in await consumptions.history(uow, found.id)]
    return out(found, uses)
