"""Prior authorization's REST API: request an authorization from the payer (a 278, idempotent), enter one obtained
by phone or portal, ask for a renewal, and read them with what is left and what used it. HTTP only: the work is in
handlers.py."""

from datetime import date
from typing import Annotated, Literal, Self
from uuid import UUID

from claimstream_platform.access import Audit, RateClass, allow
from claimstream_platform.auth import Principal, Role
from claimstream_platform.dates import business_date
from claimstream_platform.errors import NotFound, RuleViolation
from claimstream_platform.idempotency import Started, run_command, run_inquiry
from claimstream_platform.paging import EMBEDDED, OrderedPageRequest, OrderedPaging
from claimstream_platform.payer_inquiry import CoverageIn, PatientIn, ProviderIn, Strict
from claimstream_platform.practices import require_practices
from claimstream_platform.web import CurrentPrincipal, get_unit_of_work
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import Field, StringConstraints, model_validator

from prior_authorization import handlers
from prior_authorization.domain import Authorization, Patient
from prior_authorization.lines import Line
from prior_authorization.repository import PriorAuthorizationWork
from prior_authorization.repository.authorizations import AuthorizationFilter
from prior_authorization.views import AuthorizationOut, Page, UsesPage, out, use_out

router = APIRouter(tags=["prior authorization"])
PriorAuthorizationWorkDep = Annotated[PriorAuthorizationWork, Depends(get_unit_of_work)]  # the service's own
Code = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{5}$")]
Diagnosis = Annotated[str, StringConstraints(pattern=r"^[A-Z][0-9][0-9A-Z](\.?[0-9A-Z]{1,4})?$")]
Number = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9-]{1,50}$")]
Quantity = Annotated[int, Field(ge=1, le=999)]


class ServiceIn(Strict):
    code: Code
    quantity: Quantity


class AuthorizationIn(Strict):
    """`codes` and `quantity`: the codes share one quantity (one line); or `services`: each code asks its own (a
    line each, decided and burned down on its own)."""

    practice_id: UUID
    patient: PatientIn
    coverage: CoverageIn
    provider: ProviderIn
    codes: Annotated[list[Code], Field(min_length=1, max_length=12)] | None = None
    quantity: Quantity | None = None
    services: Annotated[list[ServiceIn], Field(min_length=1, max_length=12)] | None = None
    unit: Literal["visits", "units"] = "visits"
    start: date
    end: date
    diagnoses: Annotated[list[Diagnosis], Field(max_length=12)] = []

    @model_validator(mode="after")
    def _asked(self) -> Self:
        if not 0 <= (self.end - self.start).days <= 366:
            raise ValueError("end must fall on or after start, within a year of it")
        if self.services is not None and (self.codes is not None or self.quantity is not None):
            raise ValueError("services asks each code's own quantity: give it instead of codes and quantity")
        if self.services is None and (self.codes is None or self.quantity is None):
            raise ValueError("codes and quantity (or services, a quantity per code) are required")
        if self.services is not None and len({s.code for s in self.services}) < len(self.services):
            raise ValueError("services names a code twice")
        return self


class ManualIn(AuthorizationIn):
    authorization_number: Number
    approved: Quantity

    @model_validator(mode="after")
    def _one_line(self) -> Self:
        if self.services is not None:
            raise ValueError("an authorization entered by hand takes codes and quantity, not services")
        return self


class RenewalIn(Strict):
    visits: Quantity
    start: date | None = None  # today when unsaid


def _authorization(principal: Principal, body: AuthorizationIn) -> Authorization:
    """The request: one line for codes that share a quantity, or a line per service (its practice is checked in the
    request's transaction: `require_practices`)."""
    p, services = body.patient, body.services or []
    codes = tuple(dict.fromkeys(body.codes or [s.code for s in services]))
    requested = body.quantity or sum(s.quantity for s in services)
    lines = [Line((s.code,), s.quantity, body.unit, body.start, body.end) for s in services]
    return Authorization(
        principal.tenant_id,
        body.practice_id,
        Patient(p.external_id, p.first_name, p.last_name, p.birth_date),
        body.coverage.payer_id,
        body.coverage.member_id,
        body.provider.npi,
        body.provider.name,
        codes,
        requested,
        body.unit,
        body.start,
        body.end,
        diagnoses=tuple(body.diagnoses),
        lines=lines,
    )


@router.post(
    "/v1/authorizations",
    openapi_extra=allow(Role.FRONT_DESK, Role.BILLER, audit=Audit.PHI, rate=RateClass.PAYER),
    response_model=AuthorizationOut,
    status_code=201,
)
async def request_authorization(
    body: AuthorizationIn, request: Request, principal: CurrentPrincipal, uow: PriorAuthorizationWorkDep
) -> JSONResponse:
    """Ask the payer now (a 278 request, answered by a 278 response); the decision comes back with it: approved,
    partly approved, denied, pended (followed until decided) or not required. Idempotency-Key: a retry never sends
    a second 278 (the request and its 278 are committed before it is sent; handlers.py). When the call fails, 503
    with Retry-After: the request stays open, and a retry with the key (or the worker) finishes it."""
    asked = AskedNow(request, principal, uow, body)
    return await run_inquiry(request, principal=principal, uow=uow, body=body, inquiry=asked)


class AskedNow:
    """A request asked from the API, in `run_inquiry`'s phases (its reference: the authorization's id)."""

    def __init__(
        self, request: Request, principal: Principal, uow: PriorAuthorizationWork, body: AuthorizationIn
    ) -> None:
        self.clearinghouse: handlers.Clearinghouse = request.app.state.clearinghouse
        self.sender: handlers.Sender = request.app.state.sender
        self.principal, self.uow, self.body = principal, uow, body
        self.inquiry = ""

    async def intend(self) -> Started[str]:
        await require_practices(self.uow, self.principal, {"practice_id": self.body.practice_id})
        authorization = _authorization(self.principal, self.body)
        self.inquiry = await handlers.intend(self.uow, self.sender, authorization)
        return Started(str(authorization.id), self.inquiry)

    async def resume(self, reference: str) -> Started[str]:
        found = await self.uow.authorizations.question(UUID(reference))
        if found is None:
            raise NotFound("authorization not found", field="Idempotency-Key")
        authorization, inquiry = found
        if inquiry is None:  # decided (a pended one is asked again by the worker)
            return Started(reference, None)
        await self.uow.authorizations.asking(authorization.id, inquiry)  # sent again as stored
        self.inquiry = inquiry
        return Started(reference, inquiry)

    async def ask(self, question: str) -> list[str]:
        return await self.clearinghouse.ask(question)

    async def record(self, reference: str, heard: list[str] | None) -> AuthorizationOut:
        authorization = await handlers.record(self.uow, UUID(reference), self.inquiry, heard)
        if authorization is None:
            raise NotFound("authorization not found", field="Idempotency-Key")
        return out(authorization)

    async def withdraw(self, reference: str) -> None:
        await self.uow.authorizations.withdraw(UUID(reference))


@router.post(
    "/v1/authorizations/manual",
    openapi_extra=allow(Role.FRONT_DESK, Role.BILLER, audit=Audit.PHI),
    response_model=AuthorizationOut,
    status_code=201,
)
async def enter_authorization(
    body: ManualIn, request: Request, principal: CurrentPrincipal, uow: PriorAuthorizationWorkDep
) -> JSONResponse:
    """An authorization obtained by phone or portal, entered with its number and what was approved."""
    authorization = _authorization(principal, body)

    async def operation() -> AuthorizationOut:
        await require_practices(uow, principal, {"practice_id": body.practice_id})
        return out(await handlers.enter(uow, authorization, body.authorization_number, body.approved))

    return await run_command(request, principal=principal, uow=uow, body=body, operation=operation)


@router.post(
    "/v1/authorizations/{authorization_id}/renewals",
    openapi_extra=allow(Role.FRONT_DESK, Role.BILLER, audit=Audit.PHI),
    response_model=AuthorizationOut,
    status_code=202,
)
async def renew_authorization(
    authorization_id: UUID,
    body: RenewalIn,
    request: Request,
    principal: CurrentPrincipal,
    uow: PriorAuthorizationWorkDep,
) -> JSONResponse:
    """A renewal or extension: a new 278 request citing this authorization's number, sent by the worker."""

    async def operation() -> AuthorizationOut:
        current = await uow.authorizations.find(principal, authorization_id)
        if current is None:
            raise NotFound("authorization not found", field="authorization_id")
        if current.status != "approved":
            raise RuleViolation(f"a {current.status} authorization cannot be renewed", field="authorization_id")
        return out(await handlers.renew(uow, current, body.visits, body.start or business_date()))

    return await run_command(request, principal=principal, uow=uow, body=body, operation=operation, status_code=202)


@router.get(
    "/v1/authorizations", openapi_extra=allow(Role.FRONT_DESK, Role.BILLER, audit=Audit.PHI), response_model=Page
)
async def list_authorizations(
    principal: CurrentPrincipal,
    uow: PriorAuthorizationWorkDep,
    page: OrderedPaging,
    practice_id: UUID | None = None,
    patient: Annotated[str | None, Query(pattern=r"^[A-Za-z0-9-]{1,80}$")] = None,
    status: Literal["requested", "pended", "approved", "contact", "denied", "cancelled", "not_required"] | None = None,
    expiring_before: date | None = None,
    exceeded: bool | None = None,
) -> Page:
    """Authorizations with what is left (units or visits, and days), the soonest ending first, a page at a time;
    `exceeded=true` those a charge went over (its claim should wait for a person)."""
    if practice_id is not None:
        principal.require_practice(practice_id)
    wanted = AuthorizationFilter(practice_id, patient, status, expiring_before, exceeded)
    async with uow:
        found, next_cursor = await uow.authorizations.listing(principal, wanted, page)
    return Page(items=[out(x) for x in found], next_cursor=next_cursor)


@router.get(
    "/v1/authorizations/{authorization_id}",
    openapi_extra=allow(Role.FRONT_DESK, Role.BILLER, audit=Audit.PHI),
    response_model=AuthorizationOut,
)
async def get_authorization(
    authorization_id: UUID, principal: CurrentPrincipal, uow: PriorAuthorizationWorkDep
) -> AuthorizationOut:
    """One authorization with its latest uses: each encounter that used it, and what it gave back
    (`uses_next_cursor` pages back through the earlier ones with `GET .../uses`)."""
    async with uow:
        found = await _found(uow, principal, authorization_id)
        uses, more = await uow.consumptions.history(found.id, OrderedPageRequest(EMBEDDED, None))
    return out(found, [use_out(row) for row in reversed(uses)], more)


@router.get(
    "/v1/authorizations/{authorization_id}/uses",
    openapi_extra=allow(Role.FRONT_DESK, Role.BILLER, audit=Audit.PHI),
    response_model=UsesPage,
)
async def authorization_uses(
    authorization_id: UUID, principal: CurrentPrincipal, uow: PriorAuthorizationWorkDep, page: OrderedPaging
) -> UsesPage:
    """The authorization's consumption history, the latest use first, a page at a time."""
    async with uow:
        found = await _found(uow, principal, authorization_id)
        uses, next_cursor = await uow.consumptions.history(found.id, page)
    return UsesPage(items=[use_out(row) for row in uses], next_cursor=next_cursor)


async def _found(uow: PriorAuthorizationWork, principal: Principal, authorization_id: UUID) -> Authorization:
    found = await uow.authorizations.find(principal, authorization_id)
    if found is None:
        raise NotFound("authorization not found", field="authorization_id")
    return found
