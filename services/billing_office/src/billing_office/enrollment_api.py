"""The billing office's enrollment and credentialing routes: each practice's payer enrollments (one per payer,
NPI and TIN, and kind of transaction) with their tasks, its clinicians' credentialing spans, the checks it turns
on per payer (claims wait for them), and the payers found silent with their ERA enrollments. HTTP only."""

from datetime import date
from typing import Annotated, Any
from uuid import UUID

from claimstream_platform.access import Audit, allow
from claimstream_platform.auth import Role
from claimstream_platform.contracts.billing_office import CredentialStatus, EnrollmentStatus, Transaction
from claimstream_platform.idempotency import run_command
from claimstream_platform.practices import require_practices
from claimstream_platform.web import CurrentPrincipal, get_unit_of_work
from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, StringConstraints

from billing_office import enrollment_work
from billing_office.enrollment import overdue
from billing_office.repository import BillingOfficeWork

router = APIRouter(tags=["enrollment and credentialing"])
WorkDep = Annotated[BillingOfficeWork, Depends(get_unit_of_work)]
NPI = Annotated[str, StringConstraints(pattern=r"^\d{10}$")]
PayerId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9]{2,80}$")]
READERS = (Role.TENANT_ADMIN, Role.BILLER, Role.READ_ONLY)
WRITERS = (Role.TENANT_ADMIN, Role.BILLER)
PRACTICE = "/v1/practices/{practice_id}"


class EnrollmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    payer_id: PayerId
    npi: NPI
    tax_id: Annotated[str, StringConstraints(pattern=r"^\d{9}$")]
    transaction: Transaction
    status: EnrollmentStatus
    requested_effective: date | None = None
    effective_from: date | None = None  # the payer's, once active
    clearinghouse: Annotated[str, StringConstraints(max_length=80)] | None = None


class TaskIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=200)]
    due_on: date


class TaskOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    enrollment_id: UUID
    title: str
    due_on: date
    done_on: date | None
    overdue: bool = False


class EnrollmentOut(EnrollmentIn):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    tasks: list[TaskOut] = []


class CredentialIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    npi: NPI  # the rendering or supervising clinician's
    payer_id: PayerId
    state: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
    status: CredentialStatus
    effective_from: date | None = None
    effective_to: date | None = None


class CredentialOut(CredentialIn):
    model_config = ConfigDict(from_attributes=True)

    id: UUID


class ChecksIO(BaseModel):
    model_config = ConfigDict(extra="forbid", from_attributes=True)

    enrollment: bool  # claims wait for an active claims (837) enrollment
    credentialing: bool  # claims wait for the rendering clinician's effective span


class SilentPayer(BaseModel):
    payer_id: str
    claims_waiting: int
    oldest_accepted_on: date
    last_payment_on: date | None
    remittance_enrollments: list[str]  # the statuses of the ERA enrollments with it ([]: none recorded)


@router.put(PRACTICE + "/enrollments", openapi_extra=allow(*WRITERS, audit=Audit.ADMIN), response_model=EnrollmentOut)
async def put_enrollment(
    practice_id: UUID, body: EnrollmentIn, request: Request, principal: CurrentPrincipal, uow: WorkDep
) -> JSONResponse:
    """The practice's enrollment with a payer for one kind of transaction, recorded or changed."""

    async def operation() -> EnrollmentOut:
        await require_practices(uow, principal, {"practice_id": practice_id})
        row = await enrollment_work.put_enrollment(uow, principal, practice_id, body.model_dump())
        return EnrollmentOut.model_validate(row)

    return await run_command(request, principal=principal, uow=uow, body=body, operation=operation, status_code=200)


@router.get(PRACTICE + "/enrollments", openapi_extra=allow(*READERS), response_model=list[EnrollmentOut])
async def enrollments(
    request: Request, practice_id: UUID, principal: CurrentPrincipal, uow: WorkDep
) -> list[EnrollmentOut]:
    today = request.app.state.clock.today()
    async with uow:
        await require_practices(uow, principal, {"practice_id": practice_id})
        rows = await uow.enrollment.of_practice(principal, practice_id)
        tasks = await uow.enrollment.tasks(principal.tenant_id, [row.id for row in rows])
    shown = [EnrollmentOut.model_validate(row) for row in rows]
    for enrollment in shown:
        enrollment.tasks = [_task(task, today) for task in tasks if task.enrollment_id == enrollment.id]
    return shown


@router.post(
    "/v1/enrollments/{enrollment_id}/tasks", openapi_extra=allow(*WRITERS), response_model=TaskOut, status_code=201
)
async def add_task(
    enrollment_id: UUID, body: TaskIn, request: Request, principal: CurrentPrincipal, uow: WorkDep
) -> JSONResponse:
    async def operation() -> TaskOut:
        task = await enrollment_work.add_task(uow, principal, enrollment_id, body.title, body.due_on)
        return _task(task, request.app.state.clock.today())

    return await run_command(request, principal=principal, uow=uow, body=body, operation=operation)


@router.post("/v1/enrollment-tasks/{task_id}/done", openapi_extra=allow(*WRITERS), response_model=TaskOut)
async def task_done(task_id: UUID, request: Request, principal: CurrentPrincipal, uow: WorkDep) -> JSONResponse:
    async def operation() -> TaskOut:
        today = request.app.state.clock.today()
        return _task(await enrollment_work.task_done(uow, principal, task_id, today), today)

    return await run_command(request, principal=principal, uow=uow, body=None, operation=operation, status_code=200)


@router.put(PRACTICE + "/credentials", openapi_extra=allow(*WRITERS, audit=Audit.ADMIN), response_model=CredentialOut)
async def put_credential(
    practice_id: UUID, body: CredentialIn, request: Request, principal: CurrentPrincipal, uow: WorkDep
) -> JSONResponse:
    """A clinician's credentialing with a payer in a state, recorded or changed (a retroactive effective date
    releases the claims it held)."""

    async def operation() -> CredentialOut:
        await require_practices(uow, principal, {"practice_id": practice_id})
        row = await enrollment_work.put_credential(uow, principal, practice_id, body.model_dump())
        return CredentialOut.model_validate(row)

    return await run_command(request, principal=principal, uow=uow, body=body, operation=operation, status_code=200)


@router.get(PRACTICE + "/credentials", openapi_extra=allow(*READERS), response_model=list[CredentialOut])
async def credentials(practice_id: UUID, principal: CurrentPrincipal, uow: WorkDep) -> list[CredentialOut]:
    async with uow:
        await require_practices(uow, principal, {"practice_id": practice_id})
        rows = await uow.enrollment.credentials_of(principal, practice_id)
    return [CredentialOut.model_validate(row) for row in rows]


CHECKS = PRACTICE + "/payers/{payer_id}/checks"


@router.put(CHECKS, openapi_extra=allow(Role.TENANT_ADMIN, audit=Audit.ADMIN), response_model=ChecksIO)
async def set_checks(
    practice_id: UUID,
    payer_id: Annotated[str, Path(pattern=r"^[A-Za-z0-9]{2,80}$")],
    body: ChecksIO,
    request: Request,
    principal: CurrentPrincipal,
    uow: WorkDep,
) -> JSONResponse:
    async def operation() -> ChecksIO:
        await require_practices(uow, principal, {"practice_id": practice_id})
        await enrollment_work.set_checks(uow, principal, practice_id, payer_id, body.model_dump())
        return body

    return await run_command(request, principal=principal, uow=uow, body=body, operation=operation, status_code=200)


@router.get(PRACTICE + "/payer-checks", openapi_extra=allow(*READERS), response_model=dict[str, ChecksIO])
async def checks(practice_id: UUID, principal: CurrentPrincipal, uow: WorkDep) -> dict[str, ChecksIO]:
    """Per payer, the checks the practice turned on (a payer not named has none)."""
    async with uow:
        await require_practices(uow, principal, {"practice_id": practice_id})
        rows = await uow.enrollment.checks_of(principal, practice_id)
    return {row.payer_id: ChecksIO.model_validate(row) for row in rows}


@router.get("/v1/silent-payers", openapi_extra=allow(*READERS), response_model=list[SilentPayer])
async def silent_payers(principal: CurrentPrincipal, uow: WorkDep) -> list[SilentPayer]:
    """The payers remittance posting found silent for ERAs, each with the status of its ERA enrollments: a payer
    silent because nobody enrolled for its 835s says so here."""
    async with uow:
        rows = await uow.enrollment.silent(principal)
        statuses = await uow.enrollment.remittance_statuses(principal)
    return [
        SilentPayer(
            payer_id=row.payer_id,
            claims_waiting=row.claims_waiting,
            oldest_accepted_on=row.oldest_accepted_on,
            last_payment_on=row.last_payment_on,
            remittance_enrollments=sorted(statuses.get(row.payer_id, [])),
        )
        for row in rows
    ]


def _task(row: Any, today: date) -> TaskOut:
    task = TaskOut.model_validate(row)
    task.overdue = overdue(row.due_on, row.done_on, today)
    return task
