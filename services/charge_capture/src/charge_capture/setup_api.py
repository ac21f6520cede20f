"""Charge capture's set-up API for billing staff: practices, providers, payers, policy and fee schedules."""

from typing import Any, Generic, TypeVar
from uuid import UUID

from claimstream_platform.access import Audit, allow
from claimstream_platform.auth import Principal, Role
from claimstream_platform.errors import Forbidden, NotFound, RuleViolation
from claimstream_platform.idempotency import run_command
from claimstream_platform.web import CurrentPrincipal
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from charge_capture.api import CaptureWorkDep
from charge_capture.coding.policy import check_settings
from charge_capture.repository import CaptureWork
from charge_capture.repository.reference import modifiers_key
from charge_capture.setup_schemas import (
    FeeIn,
    FeeScheduleIn,
    FeeScheduleOut,
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
T = TypeVar("T")
# A fee schedule of 10,000 entries (its most), each with four modifiers, pretty-printed: 1.5 MB.
FEE_SCHEDULE_BODY_BYTES = 2 * 1024 * 1024


class Listing(BaseModel, Generic[T]):
    items: list[T]


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
    response_model=Listing[PracticeOut],
)
async def list_practices(principal: CurrentPrincipal, uow: CaptureWorkDep) -> Listing[PracticeOut]:
    async with uow:
        rows = await uow.setup.listed("practices", tenant_id=principal.tenant_id)
    return Listing(items=[_practice_out(row) for row in rows if principal.may_access(row.id)])


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
    response_model=Listing[ProviderOut],
)
async def list_providers(practice_id: UUID, principal: CurrentPrincipal, uow: CaptureWorkDep) -> Listing[ProviderOut]:
    async with uow:
        await practice_in_scope(uow, principal, practice_id)
        rows = await uow.setup.listed("providers", tenant_id=principal.tenant_id, practice_id=practice_id)
    return Listing(items=[ProviderOut.model_validate(row, from_attributes=True) for row in rows])


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
    response_model=Listing[PayerOut],
)
async def list_payers(practice_id: UUID, principal: CurrentPrincipal, uow: CaptureWorkDep) -> Listing[PayerOut]:
    async with uow:
        await practice_in_scope(uow, principal, practice_id)
        rows = await uow.setup.listed("payers", tenant_id=principal.tenant_id, practice_id=practice_id)
    return Listing(items=[PayerOut.model_validate(row, from_attributes=True) for row in rows])


@router.put(
    "/v1/practices/{practice_id}/payers/{payer_id}/policy",
    openapi_extra=allow(Role.TENANT_ADMIN, audit=Audit.ADMIN),
    response_model=Listing[PolicyOverrideOut],
)
async def put_payer_policy(
    practice_id: UUID,
    payer_id: str,
    body: PolicyOverrideIn,
    request: Request,
    principal: CurrentPrincipal,
    uow: CaptureWorkDep,
) -> JSONResponse:
    """Set this payer's own policy settings from a date (same date again: replaced). Returns the history."""
    problems = check_settings(body.settings)
    if problems:
        raise RuleViolation("; ".join(problems), field="settings")

    async def operation() -> Listing[PolicyOverrideOut]:
        payer = await payer_in_scope(uow, principal, practice_id, payer_id)
        rows = await uow.setup.put_policy(payer.id, body.model_dump())
        return Listing(items=[PolicyOverrideOut.model_validate(row, from_attributes=True) for row in rows])

    return await run_command(request, principal=principal, uow=uow, body=body, operation=operation, status_code=200)


@router.put(
    "/v1/practices/{practice_id}/fee-schedules/{payer_id}",
    openapi_extra=allow(Role.TENANT_ADMIN, audit=Audit.ADMIN, max_body_bytes=FEE_SCHEDULE_BODY_BYTES),
    response_model=FeeScheduleOut,
)
async def put_fee_schedule(
    practice_id: UUID,
    payer_id: str,
    body: FeeScheduleIn,
    request: Request,
    principal: CurrentPrincipal,
    uow: CaptureWorkDep,
) -> JSONResponse:
    """A new version of the payer's fee schedule from `effective_from`; earlier versions are kept. The same body
    again (a retry) returns the version it made and adds none."""

    async def operation() -> FeeScheduleOut:
        payer = await payer_in_scope(uow, principal, practice_id, payer_id)
        same = await uow.setup.newest_schedule_if_same(payer.id, body.effective_from, _fee_rows(body))
        if same is not None:
            schedule_id, effective_from, created_at = same.id, same.effective_from, same.created_at
        else:
            entries = [(e.code, e.modifiers, e.amount) for e in body.entries]
            effective_from = body.effective_from
            schedule_id, created_at = await uow.setup.add_fee_schedule(
                principal.tenant_id, payer.id, effective_from, entries
            )
        return FeeScheduleOut(
            id=schedule_id,
            payer_id=payer_id,
            effective_from=effective_from,
            created_at=created_at,
            entries=body.entries,
        )

    return await run_command(request, principal=principal, uow=uow, body=body, operation=operation, status_code=200)


@router.get(
    "/v1/practices/{practice_id}/fee-schedules/{payer_id}",
    openapi_extra=allow(Role.TENANT_ADMIN, Role.BILLER, Role.READ_ONLY),
    response_model=Listing[FeeScheduleOut],
)
async def get_fee_schedules(
    practice_id: UUID, payer_id: str, principal: CurrentPrincipal, uow: CaptureWorkDep
) -> Listing[FeeScheduleOut]:
    """Every version, newest effective date first."""
    async with uow:
        payer = await payer_in_scope(uow, principal, practice_id, payer_id)
        versions = await uow.setup.fee_schedules_of(payer.id)
    return Listing(
        items=[
            FeeScheduleOut(
                id=s.id,
                payer_id=payer_id,
                effective_from=s.effective_from,
                created_at=s.created_at,
                entries=[FeeIn(code=code, modifiers=modifiers, amount=amount) for code, modifiers, amount in entries],
            )
            for s, entries in versions
        ]
    )


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


def _fee_rows(body: FeeScheduleIn) -> set[tuple[str, str, Any]]:
    return {(e.code, modifiers_key(e.modifiers), e.amount) for e in body.entries}


def _practice_out(row: Any) -> PracticeOut:
    return PracticeOut.model_validate(row, from_attributes=True)
