"""Charge capture's set-up API for billing staff: practices, providers, payers and policy (fee schedules are
`fee_schedules_api`). Every listing is a page (`limit`, `cursor`, `next_cursor`)."""

from typing import Any
from uuid import UUID

from claimstream_platform.access import Audit, allow
from claimstream_platform.auth import Principal, Role
from claimstream_platform.errors import Forbidden, NotFound, RuleViolation
from claimstream_platform.idempotency import run_command
from claimstream_platform.paging import EMBEDDED, OrderedPageRequest, OrderedPaging
from claimstream_platform.web import CurrentPrincipal
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from charge_capture.api import CaptureWorkDep
from charge_capture.coding.policy import check_settings
from charge_capture.repository import CaptureWork
from charge_capture.setup_schemas import (
    Page,
    PayerIn,
    PayerOut,
    PolicyOverrideIn,
    PolicyOverrideOut,
    PracticeIn,
    PracticeOut,
    ProviderIn,
    ProviderOut,
)

router = APIRouter()


@router.post(
    "/v1/practices",
    openapi_extra=allow(Role.TENANT_ADMIN, audit=Audit.ADMIN),
    status_code=201,
    response_model=PracticeOut,
)
async def create_practice(
    body: PracticeIn, request: Request, principal: CurrentPrincipal, uow: CaptureWorkDep
) -> JSONResponse:
    if principal.practice_ids is not None:
        raise Forbidden("a token limited to some practices cannot create practices")

    async def operation() -> PracticeOut:
        values = {"tenant_id": principal.tenant_id, **body.model_dump(mode="json")}
        practice_id = await uow.setup.insert_unique(
            "practices", values, "a practice with this billing NPI exists", "npi"
        )
        await uow.setup.register_practice(practice_id, principal.tenant_id)
        return PracticeOut(id=practice_id, **body.model_dump())

    return await run_command(request, principal=principal, uow=uow, body=body, operation=operation)


@router.get(
    "/v1/practices",
    openapi_extra=allow(Role.TENANT_ADMIN, Role.BILLER, Role.FRONT_DESK, Role.EHR_INTEGRATION, Role.READ_ONLY),
    response_model=Page[PracticeOut],
)
async def list_practices(principal: CurrentPrincipal, uow: CaptureWorkDep, page: OrderedPaging) -> Page[PracticeOut]:
    """The practices the token may see, by name."""
    async with uow:
        rows, next_cursor = await uow.setup.page("practices", principal, page)
    return Page(items=[_practice_out(row) for row in rows], next_cursor=next_cursor)


@router.get(
    "/v1/practices/{practice_id}",
    openapi_extra=allow(Role.TENANT_ADMIN, Role.BILLER, Role.FRONT_DESK, Role.EHR_INTEGRATION, Role.READ_ONLY),
    response_model=PracticeOut,
)
async def get_practice(practice_id: UUID, principal: CurrentPrincipal, uow: CaptureWorkDep) -> PracticeOut:
    async with uow:
        row = await practice_in_scope(uow, principal, practice_id)
    return _practice_out(row)


@router.post(
    "/v1/practices/{practice_id}/providers",
    openapi_extra=allow(Role.TENANT_ADMIN, audit=Audit.ADMIN),
    status_code=201,
    response_model=ProviderOut,
)
async def create_provider(
    practice_id: UUID, body: ProviderIn, request: Request, principal: CurrentPrincipal, uow: CaptureWorkDep
) -> JSONResponse:
    async def operation() -> ProviderOut:
        await practice_in_scope(uow, principal, practice_id)
        values = {"tenant_id": principal.tenant_id, "practice_id": practice_id, **body.model_dump()}
        provider_id = await uow.setup.insert_unique(
            "providers", values, "a provider with this NPI exists in the practice", "npi"
        )
        return ProviderOut(id=provider_id, practice_id=practice_id, **body.model_dump())

    return await run_command(request, principal=principal, uow=uow, body=body, operation=operation)


@router.get(
    "/v1/practices/{practice_id}/providers",
    openapi_extra=allow(Role.TENANT_ADMIN, Role.BILLER, Role.FRONT_DESK, Role.EHR_INTEGRATION, Role.READ_ONLY),
    response_model=Page[ProviderOut],
)
async def list_providers(
    practice_id: UUID, principal: CurrentPrincipal, uow: CaptureWorkDep, page: OrderedPaging
) -> Page[ProviderOut]:
    """The practice's providers, by last name."""
    async with uow:
        await practice_in_scope(uow, principal, practice_id)
        rows, next_cursor = await uow.setup.page("providers", principal, page, practice_id)
    return Page(items=[ProviderOut.model_validate(row, from_attributes=True) for row in rows], next_cursor=next_cursor)


@router.post(
    "/v1/practices/{practice_id}/payers",
    openapi_extra=allow(Role.TENANT_ADMIN, audit=Audit.ADMIN),
    status_code=201,
    response_model=PayerOut,
)
async def create_payer(
    practice_id: UUID, body: PayerIn, request: Request, principal: CurrentPrincipal, uow: CaptureWorkDep
) -> JSONResponse:
    async def operation() -> PayerOut:
        await practice_in_scope(uow, principal, practice_id)
        values = {"tenant_id": principal.tenant_id, "practice_id": practice_id, **body.model_dump()}
        payer_ref = await uow.setup.insert_unique(
            "payers", values, "this payer is already set up for the practice", "payer_id"
        )
        return PayerOut(id=payer_ref, practice_id=practice_id, **body.model_dump())

    return await run_command(request, principal=principal, uow=uow, body=body, operation=operation)


@router.get(
    "/v1/practices/{practice_id}/payers",
    openapi_extra=allow(Role.TENANT_ADMIN, Role.BILLER, Role.FRONT_DESK, Role.EHR_INTEGRATION, Role.READ_ONLY),
    response_model=Page[PayerOut],
)
async def list_payers(
    practice_id: UUID, principal: CurrentPrincipal, uow: CaptureWorkDep, page: OrderedPaging
) -> Page[PayerOut]:
    """The practice's payers, by payer id."""
    async with uow:
        await practice_in_scope(uow, principal, practice_id)
        rows, next_cursor = await uow.setup.page("payers", principal, page, practice_id)
    return Page(items=[PayerOut.model_validate(row, from_attributes=True) for row in rows], next_cursor=next_cursor)


@router.put(
    "/v1/practices/{practice_id}/payers/{payer_id}/policy",
    openapi_extra=allow(Role.TENANT_ADMIN, audit=Audit.ADMIN),
    response_model=Page[PolicyOverrideOut],
)
async def put_payer_policy(
    practice_id: UUID,
    payer_id: str,
    body: PolicyOverrideIn,
    request: Request,
    principal: CurrentPrincipal,
    uow: CaptureWorkDep,
) -> JSONResponse:
    """Set this payer's own policy settings from a date (same date again: replaced). Returns the history's first
    page (the earliest start first; `next_cursor` pages on with `GET .../policy`)."""
    problems = check_settings(body.settings)
    if problems:
        raise RuleViolation("; ".join(problems), field="settings")

    async def operation() -> Page[PolicyOverrideOut]:
        payer = await payer_in_scope(uow, principal, practice_id, payer_id)
        await uow.setup.put_policy(payer.id, body.model_dump())
        return await _policy_page(uow, payer.id, OrderedPageRequest(EMBEDDED, None))

    return await run_command(request, principal=principal, uow=uow, body=body, operation=operation, status_code=200)


@router.get(
    "/v1/practices/{practice_id}/payers/{payer_id}/policy",
    openapi_extra=allow(Role.TENANT_ADMIN, Role.BILLER, Role.READ_ONLY),
    response_model=Page[PolicyOverrideOut],
)
async def list_payer_policy(
    practice_id: UUID, payer_id: str, principal: CurrentPrincipal, uow: CaptureWorkDep, page: OrderedPaging
) -> Page[PolicyOverrideOut]:
    """The payer's policy overrides, the earliest start first."""
    async with uow:
        payer = await payer_in_scope(uow, principal, practice_id, payer_id)
        return await _policy_page(uow, payer.id, page)


async def _policy_page(uow: CaptureWork, payer_ref: UUID, page: OrderedPageRequest) -> Page[PolicyOverrideOut]:
    rows, next_cursor = await uow.setup.policy_page(payer_ref, page)
    items = [PolicyOverrideOut.model_validate(row, from_attributes=True) for row in rows]
    return Page(items=items, next_cursor=next_cursor)


async def practice_in_scope(uow: CaptureWork, principal: Principal, practice_id: UUID) -> Any:
    principal.require_practice(practice_id)
    row = await uow.reference.practice_or_none(principal.tenant_id, practice_id)
    if row is None:
        raise NotFound("practice not found", field="practice_id")
    return row


async def payer_in_scope(uow: CaptureWork, principal: Principal, practice_id: UUID, payer_id: str) -> Any:
    await practice_in_scope(uow, principal, practice_id)
    row = await uow.reference.payer_or_none(principal.tenant_id, practice_id, payer_id)
    if row is None:
        raise NotFound("payer not set up for this practice", field="payer_id")
    return row


def _practice_out(row: Any) -> PracticeOut:
    return PracticeOut.model_validate(row, from_attributes=True)
