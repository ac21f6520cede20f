"""What billing staff do with cases, over HTTP: assign, note, ask for a correction, appeal, record the payer's
answer, write off (a filtered set at once: `bulk_api.py`). HTTP only: the work is in `work.py`; every command goes
through the command runner (`run_command`: one transaction, committed there, idempotent under an
`Idempotency-Key`) and answers with the case as it is now."""

from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID

from claimstream_platform.access import Audit, allow
from claimstream_platform.auth import Principal, Role
from claimstream_platform.contracts.denial_management import CorrectionChanges
from claimstream_platform.idempotency import run_command
from claimstream_platform.web import CurrentPrincipal
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from denial_management import work
from denial_management.api import CaseDetail, DenialWorkDep, case_detail
from denial_management.repository import DenialWork

router = APIRouter(tags=["denials"])
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Modifier = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{2}$")]
LineNumber = Annotated[int, Field(ge=1, le=50)]


class AssignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    assignee: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class ChangesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    place_of_service: Annotated[str, StringConstraints(pattern=r"^[0-9]{2}$")] | None = None
    add_modifiers: dict[LineNumber, Annotated[list[Modifier], Field(max_length=4)]] = Field(default_factory=dict)
    remove_modifiers: dict[LineNumber, Annotated[list[Modifier], Field(max_length=4)]] = Field(default_factory=dict)
    mental_health_diagnosis_first: bool = False


class CorrectionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    resubmit_as: Literal["replacement", "new_original"] = "replacement"
    reason: Text
    changes: ChangesIn = Field(default_factory=ChangesIn)
    prior_authorization_number: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9-]{1,50}$")] | None = None


class AppealIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Text
    facts: Annotated[list[Text], Field(max_length=20)] = Field(default_factory=list)


class OutcomeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # upheld: the payer kept its denial after the appeal (the case goes back to the work queue); billed_to_patient
    # is refused: a denial is the provider's liability
    resolution: Literal["overturned", "corrected_and_paid", "billed_to_patient", "closed_informational", "upheld"]
    recovered: Annotated[Decimal, Field(ge=0, le=Decimal("9999999.99"), decimal_places=2)] = Decimal(0)


class WriteOffIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Text


async def _act(
    request: Request,
    principal: Principal,
    uow: DenialWork,
    case_id: UUID,
    body: BaseModel,
    action: Callable[[], Awaitable[None]],
) -> JSONResponse:
    """Run a work-queue command through the command runner and answer with the case as it is now."""

    async def operation() -> CaseDetail:
        await action()
        return await case_detail(uow, principal, case_id)

    return await run_command(request, principal=principal, uow=uow, body=body, operation=operation, status_code=200)


@router.post("/v1/denials/{case_id}/assign", openapi_extra=allow(Role.BILLER), response_model=CaseDetail)
async def assign(
    case_id: UUID, body: AssignIn, request: Request, principal: CurrentPrincipal, uow: DenialWorkDep
) -> JSONResponse:
    return await _act(
        request, principal, uow, case_id, body, lambda: work.assign(uow, principal, case_id, body.assignee)
    )


@router.post("/v1/denials/{case_id}/notes", openapi_extra=allow(Role.BILLER), response_model=CaseDetail)
async def add_note(
    case_id: UUID, body: NoteIn, request: Request, principal: CurrentPrincipal, uow: DenialWorkDep
) -> JSONResponse:
    return await _act(request, principal, uow, case_id, body, lambda: work.note(uow, principal, case_id, body.text))


@router.post(
    "/v1/denials/{case_id}/correction", openapi_extra=allow(Role.BILLER, audit=Audit.MONEY), response_model=CaseDetail
)
async def correction(
    case_id: UUID, body: CorrectionIn, request: Request, principal: CurrentPrincipal, uow: DenialWorkDep
) -> JSONResponse:
    """Ask claim submission to send the claim again with these changes (a replacement with REF*F8, or a new
    original); the case waits for the corrected claim's payment."""
    changes = CorrectionChanges.model_validate(body.changes.model_dump())

    async def requested() -> None:
        await work.request_correction(
            uow,
            principal,
            case_id,
            changes=changes,
            resubmit_as=body.resubmit_as,
            reason=body.reason,
            prior_authorization_number=body.prior_authorization_number,
        )

    return await _act(request, principal, uow, case_id, body, requested)


@router.post(
    "/v1/denials/{case_id}/appeal", openapi_extra=allow(Role.BILLER, audit=Audit.PHI), response_model=CaseDetail
)
async def appeal(
    case_id: UUID, body: AppealIn, request: Request, principal: CurrentPrincipal, uow: DenialWorkDep
) -> JSONResponse:
    """An appeal packet: the claim, the denial, the reason and the facts, as data and as a letter (PDF)."""
    return await _act(
        request,
        principal,
        uow,
        case_id,
        body,
        lambda: work.appeal(uow, principal, case_id, reason=body.reason, facts=body.facts),
    )


@router.post(
    "/v1/denials/{case_id}/outcome", openapi_extra=allow(Role.BILLER, audit=Audit.MONEY), response_model=CaseDetail
)
async def outcome(
    case_id: UUID, body: OutcomeIn, request: Request, principal: CurrentPrincipal, uow: DenialWorkDep
) -> JSONResponse:
    return await _act(
        request,
        principal,
        uow,
        case_id,
        body,
        lambda: work.record_outcome(uow, principal, case_id, body.resolution, body.recovered),
    )


@router.post(
    "/v1/denials/{case_id}/write-off", openapi_extra=allow(Role.BILLER, audit=Audit.MONEY), response_model=CaseDetail
)
async def write_off(
    case_id: UUID, body: WriteOffIn, request: Request, principal: CurrentPrincipal, uow: DenialWorkDep
) -> JSONResponse:
    return await _act(
        request, principal, uow, case_id, body, lambda: work.write_off(uow, principal, case_id, body.reason)
    )
