"""Eligibility's REST API: ask a payer about a patient's coverage (idempotent), and read a check back. HTTP only:
the work is in handlers.py."""

from dataclasses import asdict
from datetime import date
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from claimstream_platform.access import Audit, RateClass, allow
from claimstream_platform.auth import Principal, Role
from claimstream_platform.errors import NotFound
from claimstream_platform.idempotency import Started, run_command, run_inquiry
from claimstream_platform.payer_inquiry import CoverageIn, PatientIn, ProviderIn, Strict
from claimstream_platform.practices import require_practices
from claimstream_platform.web import CurrentPrincipal, get_unit_of_work
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import AfterValidator, BaseModel, Field

from eligibility import handlers
from eligibility.cost import Price
from eligibility.domain import Check, Patient
from eligibility.repository import EligibilityWork
from eligibility.service_types import known_service_type

router = APIRouter(tags=["eligibility"])
EligibilityWorkDep = Annotated[EligibilityWork, Depends(get_unit_of_work)]  # the service's own unit of work
ServiceType = Annotated[str, AfterValidator(known_service_type)]
Money = Annotated[Decimal, Field(gt=0, le=Decimal("99999.99"), decimal_places=2)]


class CheckIn(Strict):
    practice_id: UUID
    patient: PatientIn
    coverage: CoverageIn
    provider: ProviderIn
    service_date: date
    service_types: Annotated[list[ServiceType], Field(min_length=1, max_length=6)] = ["30", "MH"]
    expected_charge: Money | None = None  # the practice's charge for the next visit
    allowed_amount: Money | None = None  # the payer's allowed amount for it (the practice's contract or fee schedule)


class CheckOut(BaseModel):
    id: UUID
    practice_id: UUID
    patient_ref: str
    payer_id: str
    service_date: date
    status: str  # pending | active | inactive | failed
    summary: dict[str, Any] | None


def check_out(check: Check) -> CheckOut:
    summary = None if check.summary is None else {**asdict(check.summary), "retry": check.summary.retry}
    return CheckOut(
        id=check.id,
        practice_id=check.practice_id,
        patient_ref=check.patient.external_id,
        payer_id=check.payer_id,
        service_date=check.service_date,
        status=check.status,
        summary=summary,
    )


@router.post(
    "/v1/eligibility-checks",
    openapi_extra=allow(Role.FRONT_DESK, Role.BILLER, audit=Audit.PHI, rate=RateClass.PAYER),
    response_model=CheckOut,
    status_code=201,
)
async def ask(body: CheckIn, request: Request, principal: CurrentPrincipal, uow: EligibilityWorkDep) -> JSONResponse:
    """Ask the payer now (a 270, answered by a 271); the answer comes back with the check. Idempotency-Key: a retry
    never sends a second 270 (the check and its 270 are committed before it is sent; handlers.py). When the call
    fails, 503 with Retry-After: the check waits, and a retry with the key (or the worker) finishes it."""
    asked = AskedNow(request, principal, uow, body)
    return await run_inquiry(request, principal=principal, uow=uow, body=body, inquiry=asked)


class AskedNow:
    """A check asked from the API, in `run_inquiry`'s phases (its reference: the check's id)."""

    def __init__(self, request: Request, principal: Principal, uow: EligibilityWork, body: CheckIn) -> None:
        self.clearinghouse: handlers.Clearinghouse = request.app.state.clearinghouse
        self.sender: handlers.Sender = request.app.state.sender
        self.principal, self.uow, self.body = principal, uow, body
        self.price = Price(charge=body.expected_charge, allowed=body.allowed_amount)
        self.inquiry = ""

    async def intend(self) -> Started[str]:
        await require_practices(self.uow, self.principal, {"practice_id": self.body.practice_id})
        check = _check(self.principal, self.body)
        self.inquiry = await handlers.intend(self.uow, self.sender, check)
        return Started(str(check.id), self.inquiry)

    async def resume(self, reference: str) -> Started[str]:
        found = await self.uow.checks.question(UUID(reference))
        if found is None:
            raise NotFound("eligibility check not found", field="Idempotency-Key")
        check, inquiry = found
        if check.status != "pending" or inquiry is None:
            return Started(reference, None)
        await self.uow.checks.asking({check.id: inquiry})  # sent again as stored
        self.inquiry = inquiry
        return Started(reference, inquiry)

    async def ask(self, question: str) -> list[str]:
        return await self.clearinghouse.ask(question)

    async def record(self, reference: str, heard: list[str] | None) -> CheckOut:
        check = await handlers.record(self.uow, UUID(reference), self.inquiry, heard, self.price)
        if check is None:
            raise NotFound("eligibility check not found", field="Idempotency-Key")
        return check_out(check)

    async def withdraw(self, reference: str) -> None:
        await self.uow.checks.withdraw(UUID(reference))


# 200 visits (a batch's most), every field at its longest, names in accented letters sent escaped: 380 KB.
BATCH_BODY_BYTES = 1024 * 1024


class BatchIn(Strict):
    checks: Annotated[list[CheckIn], Field(min_length=1, max_length=200)]


class BatchOut(BaseModel):
    checks: list[UUID]  # in the order asked: a new pending check, or the fresh or pending one that stands


@router.post(
    "/v1/eligibility-checks/batch",
    openapi_extra=allow(
        Role.FRONT_DESK, Role.BILLER, audit=Audit.PHI, rate=RateClass.BATCH, max_body_bytes=BATCH_BODY_BYTES
    ),
    response_model=BatchOut,
    status_code=202,
)
async def ask_batch(
    body: BatchIn, request: Request, principal: CurrentPrincipal, uow: EligibilityWorkDep
) -> JSONResponse:
    """Upcoming visits: each stored for the worker to ask (GET each check for its answer). A visit whose coverage
    has a fresh answer, or a pending question, gets that check. Idempotency-Key."""
    wanted = [_check(principal, item) for item in body.checks]

    async def operation() -> BatchOut:
        named = {f"checks.{n}.practice_id": item.practice_id for n, item in enumerate(body.checks)}
        await require_practices(uow, principal, named)
        return BatchOut(checks=await handlers.ask_all_later(uow, wanted))

    return await run_command(request, principal=principal, uow=uow, body=body, operation=operation, status_code=202)


def _check(principal: Principal, body: CheckIn) -> Check:
    """The check asked (its practice is checked in the request's transaction: `require_practices`)."""
    p = body.patient
    return Check(
        principal.tenant_id,
        body.practice_id,
        Patient(p.external_id, p.first_name, p.last_name, p.birth_date),
        body.coverage.payer_id,
        body.coverage.member_id,
        body.service_date,
        tuple(dict.fromkeys(body.service_types)),
        body.provider.npi,
        body.provider.name,
    )


@router.get("/v1/benefits", openapi_extra=allow(Role.FRONT_DESK, Role.BILLER, audit=Audit.PHI), response_model=CheckOut)
async def benefits(
    principal: CurrentPrincipal,
    uow: EligibilityWorkDep,
    practice_id: UUID,
    patient_ref: Annotated[str, Query(pattern=r"^[A-Za-z0-9-]{1,80}$")],
    payer_id: Annotated[str | None, Query(pattern=r"^[A-Za-z0-9-]{1,80}$")] = None,
) -> CheckOut:
    """The patient's benefits as the newest answer gave them: what the next visit costs, the visits left, whether
    authorization is needed and which payer to bill."""
    principal.require_practice(practice_id)
    async with uow:
        found = await uow.checks.latest_answer(principal, practice_id, patient_ref, payer_id)
    if found is None:
        raise NotFound("no answered eligibility check for this patient", field="patient_ref")
    return check_out(found)


@router.get(
    "/v1/eligibility-checks/{check_id}",
    openapi_extra=allow(Role.FRONT_DESK, Role.BILLER, audit=Audit.PHI),
    response_model=CheckOut,
)
async def get_check(check_id: UUID, principal: CurrentPrincipal, uow: EligibilityWorkDep) -> CheckOut:
    async with uow:
        found = await uow.checks.find(principal, check_id)
    if found is None:
        raise NotFound("eligibility check not found", field="check_id")
    return check_out(found)
