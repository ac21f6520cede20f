"""Good Faith Estimates for self-pay and uninsured patients: issued from the practice's fees for the expected
services over at most 12 months, each by the estimate's provider or a co-provider or co-facility it names
(idempotent); read back as structured data with what has been billed against each provider's part, and as a PDF."""

from datetime import date
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID, uuid4

from claimstream_platform.access import Audit, allow
from claimstream_platform.auth import Role
from claimstream_platform.dates import business_date
from claimstream_platform.errors import NotFound, RuleViolation
from claimstream_platform.idempotency import run_command
from claimstream_platform.payer_inquiry import Name, PatientIn, ProviderIn, Strict
from claimstream_platform.pdf import render_pdf, wrap
from claimstream_platform.practices import require_practices
from claimstream_platform.web import CurrentPrincipal
from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, StringConstraints

from eligibility.api import EligibilityWorkDep
from eligibility.estimate import (
    DISPUTE_THRESHOLD,
    MAX_PERIOD_MONTHS,
    Estimate,
    Service,
    estimate_lines,
    exceeded_by,
    period_too_long,
)

router = APIRouter(tags=["good faith estimates"])


NPI = Annotated[str, StringConstraints(pattern=r"^[0-9]{10}$")]


class ServiceIn(Strict):
    code: Annotated[str, StringConstraints(pattern=r"^[0-9A-Z]{5}$")]
    label: Name  # the practice's own words for the service
    fee: Annotated[Decimal, Field(gt=0, le=Decimal("99999.99"), decimal_places=2)]
    quantity: Annotated[int, Field(ge=1, le=200)]
    provider_npi: NPI | None = None  # a co-provider or co-facility that furnishes it; else the estimate's provider


class EstimateIn(Strict):
    practice_id: UUID
    patient: PatientIn
    provider: ProviderIn
    co_providers: Annotated[list[ProviderIn], Field(max_length=10)] = []  # co-providers and co-facilities
    period_from: date
    period_to: date  # at most 12 months after period_from (the day before its anniversary)
    services: Annotated[list[ServiceIn], Field(min_length=1, max_length=30)]


class PartOut(BaseModel):
    provider_npi: str
    estimated: Decimal
    billed: Decimal
    disputable: bool = False  # billed the dispute threshold or more above its part: she may dispute that bill


class EstimateOut(BaseModel):
    id: UUID
    patient_ref: str
    period_from: date
    period_to: date
    services: list[dict[str, Any]]
    total: Decimal
    billed: Decimal  # charges billed against it so far
    parts: list[PartOut]  # per provider or facility: its part of the estimate and its charges
    dispute_threshold: Decimal  # a part billed this far above it, the patient may dispute that provider's bill


def _out(estimate_id: UUID, e: Estimate, billed: dict[str, Decimal]) -> EstimateOut:
    services = [
        {
            "code": s.code,
            "label": s.label,
            "fee": s.fee,
            "quantity": s.quantity,
            "amount": s.amount,
            "provider_npi": s.provider_npi or e.provider_npi,
        }
        for s in e.services
    ]
    parts = [
        PartOut(
            provider_npi=npi,
            estimated=part,
            billed=billed.get(npi, Decimal(0)),
            disputable=exceeded_by(part, billed.get(npi, Decimal(0))) is not None,
        )
        for npi, part in e.parts().items()
    ]
    return EstimateOut(
        id=estimate_id,
        patient_ref=e.patient_ref,
        period_from=e.period_from,
        period_to=e.period_to,
        services=services,
        total=e.total,
        billed=sum(billed.values(), Decimal(0)),
        parts=parts,
        dispute_threshold=DISPUTE_THRESHOLD,
    )


@router.post(
    "/v1/good-faith-estimates",
    openapi_extra=allow(Role.FRONT_DESK, Role.BILLER, audit=Audit.PHI),
    response_model=EstimateOut,
    status_code=201,
)
async def issue(
    body: EstimateIn, request: Request, principal: CurrentPrincipal, uow: EligibilityWorkDep
) -> JSONResponse:
    estimate = _estimate(body)
    estimate_id = uuid4()

    async def operation() -> EstimateOut:
        await require_practices(uow, principal, {"practice_id": body.practice_id})
        await uow.estimates.add(principal.tenant_id, body.practice_id, estimate_id, estimate)
        return _out(estimate_id, estimate, {})

    return await run_command(request, principal=principal, uow=uow, body=body, operation=operation)


def _estimate(body: EstimateIn) -> Estimate:
    if body.period_to < body.period_from:
        raise RuleViolation("the period ends before it starts", field="period_to")
    if period_too_long(body.period_from, body.period_to):
        raise RuleViolation(f"an estimate covers at most {MAX_PERIOD_MONTHS} months", field="period_to")
    providers = {body.provider.npi} | {c.npi for c in body.co_providers}
    for number, s in enumerate(body.services):
        if s.provider_npi is not None and s.provider_npi not in providers:
            raise RuleViolation(
                "not the estimate's provider or one of its co-providers", field=f"services.{number}.provider_npi"
            )
    p = body.patient
    return Estimate(
        patient_ref=p.external_id,
        patient_name=f"{p.first_name} {p.last_name}",
        birth_date=p.birth_date,
        provider_name=body.provider.name,
        provider_npi=body.provider.npi,
        period_from=body.period_from,
        period_to=body.period_to,
        services=tuple(Service(s.code, s.label, s.fee, s.quantity, s.provider_npi or "") for s in body.services),
        issued_on=business_date(),
        co_providers=tuple((c.npi, c.name) for c in body.co_providers),
    )


class EstimateList(BaseModel):
    items: list[EstimateOut]  # the newest period first, at most 50 (a patient has one a year or so)


@router.get(
    "/v1/good-faith-estimates",
    openapi_extra=allow(Role.FRONT_DESK, Role.BILLER, audit=Audit.PHI),
    response_model=EstimateList,
)
async def of_patient(
    principal: CurrentPrincipal,
    uow: EligibilityWorkDep,
    practice_id: UUID,
    patient_ref: Annotated[str, Query(pattern=r"^[A-Za-z0-9-]{1,80}$")],
) -> EstimateList:
    """The patient's estimates, each beside what was billed against it (the console's patient account shows them)."""
    principal.require_practice(practice_id)
    async with uow:
        found = await uow.estimates.of_patient(principal, practice_id, patient_ref)
    return EstimateList(items=[_out(estimate_id, estimate, billed) for estimate_id, estimate, billed in found])


@router.get(
    "/v1/good-faith-estimates/{estimate_id}",
    openapi_extra=allow(Role.FRONT_DESK, Role.BILLER, audit=Audit.PHI),
    response_model=EstimateOut,
)
async def read(estimate_id: UUID, principal: CurrentPrincipal, uow: EligibilityWorkDep) -> EstimateOut:
    async with uow:
        found = await uow.estimates.find(principal, estimate_id)
    if found is None:
        raise NotFound("good faith estimate not found", field="estimate_id")
    return _out(estimate_id, *found)


@router.get(
    "/v1/good-faith-estimates/{estimate_id}/pdf",
    openapi_extra=allow(Role.FRONT_DESK, Role.BILLER, audit=Audit.PHI),
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
async def document(estimate_id: UUID, principal: CurrentPrincipal, uow: EligibilityWorkDep) -> Response:
    async with uow:
        found = await uow.estimates.find(principal, estimate_id)
    if found is None:
        raise NotFound("good faith estimate not found", field="estimate_id")
    lines = [part for line in estimate_lines(found[0]) for part in wrap(line)]
    return Response(render_pdf(lines), media_type="application/pdf")
