"""Charge capture's encounter API for EHR integrations (set-up for billing staff is `setup_api`). Routes map bodies
into commands and answers out of `Encounter` aggregates; the command runner (`run_command`) commits."""

from typing import Annotated, Any, Literal
from uuid import UUID

from claimstream_platform.access import Audit, RateClass, allow
from claimstream_platform.auth import Role
from claimstream_platform.contracts import Reason
from claimstream_platform.errors import Conflict, NotFound
from claimstream_platform.idempotency import Reply, run_command
from claimstream_platform.web import CurrentPrincipal, get_unit_of_work
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import Field, TypeAdapter, ValidationError

from charge_capture import handlers
from charge_capture.api_commands import capture_command
from charge_capture.commands import CaptureEncounter
from charge_capture.domain import Encounter
from charge_capture.fields import Input
from charge_capture.handlers import ItemOutcome
from charge_capture.repository import CaptureWork
from charge_capture.schemas import (
    BatchItemResult,
    BatchResult,
    ChargeOut,
    EncounterIn,
    EncounterOut,
    EncounterPage,
    EncounterSummary,
    VoidIn,
)

router = APIRouter()
# What a route is given: charge capture's own unit of work, its repositories as attributes (`uow.encounters`).
CaptureWorkDep = Annotated[CaptureWork, Depends(get_unit_of_work)]
MAX_BATCH = 1000
# A batch of 1,000 visits as EHRs send them (1 KiB or so each; a visit coded with many procedures, several KiB).
BATCH_BODY_BYTES = 8 * 1024 * 1024
_encounter_adapter = TypeAdapter(EncounterIn)


@router.post(
    "/v1/encounters",
    openapi_extra=allow(Role.EHR_INTEGRATION, Role.BILLER, audit=Audit.MONEY),
    status_code=201,
    response_model=EncounterOut,
)
async def post_encounter(
    body: EncounterIn, request: Request, principal: CurrentPrincipal, uow: CaptureWorkDep
) -> JSONResponse:
    """201 with the coded (or held) encounter; 200 with the stored one when it was posted before."""

    async def operation() -> Reply:
        (outcome,) = await handlers.capture(uow, principal, [(0, capture_command(body))])
        if outcome.outcome == "not_found":
            raise NotFound("practice not found", field="practice_id")
        if outcome.outcome == "conflict":
            raise Conflict(outcome.errors[0].message, field="external_id")
        assert outcome.encounter is not None
        return Reply(encounter_out(outcome.encounter), 201 if outcome.outcome == "created" else 200)

    return await run_command(request, principal=principal, uow=uow, body=body, operation=operation)


class BatchIn(Input):
    encounters: list[dict[str, Any]] = Field(min_length=1, max_length=MAX_BATCH)


@router.post(
    "/v1/encounters/batch",
    openapi_extra=allow(
        Role.EHR_INTEGRATION, Role.BILLER, audit=Audit.MONEY, rate=RateClass.BATCH, max_body_bytes=BATCH_BODY_BYTES
    ),
    response_model=BatchResult,
)
async def post_encounter_batch(
    body: BatchIn, request: Request, principal: CurrentPrincipal, uow: CaptureWorkDep
) -> JSONResponse:
    """Up to 1,000 encounters in one transaction, with a result per item: invalid items do not stop the rest."""
    commands: list[tuple[int, CaptureEncounter]] = []
    invalid: list[ItemOutcome] = []
    for index, item in enumerate(body.encounters):
        try:
            commands.append((index, capture_command(_encounter_adapter.validate_python(item))))
        except ValidationError as error:
            invalid.append(ItemOutcome(index, "invalid", errors=_errors(error)))

    async def operation() -> BatchResult:
        outcomes = await handlers.capture(uow, principal, commands) if commands else []
        return _batch_result(sorted(outcomes + invalid, key=lambda o: o.index))

    return await run_command(request, principal=principal, uow=uow, body=body, operation=operation, status_code=200)


def _batch_result(results: list[ItemOutcome]) -> BatchResult:
    return BatchResult(
        created=sum(o.outcome == "created" for o in results),
        existing=sum(o.outcome == "existing" for o in results),
        failed=sum(o.outcome not in ("created", "existing") for o in results),
        results=[
            BatchItemResult(
                index=o.index,
                outcome=o.outcome,
                encounter=summary(o.encounter) if o.encounter else None,
                errors=o.errors,
            )
            for o in results
        ],
    )


@router.put(
    "/v1/encounters/{encounter_id}",
    openapi_extra=allow(Role.EHR_INTEGRATION, Role.BILLER, audit=Audit.MONEY),
    response_model=EncounterOut,
)
async def put_encounter(
    encounter_id: UUID, body: EncounterIn, request: Request, principal: CurrentPrincipal, uow: CaptureWorkDep
) -> JSONResponse:
    """A corrected encounter: recoded as a new version; the previous version's charges are voided."""

    async def operation() -> EncounterOut:
        return encounter_out(await handlers.correct(uow, principal, encounter_id, capture_command(body)))

    return await run_command(request, principal=principal, uow=uow, body=body, operation=operation, status_code=200)


@router.post(
    "/v1/encounters/{encounter_id}/void",
    openapi_extra=allow(Role.EHR_INTEGRATION, Role.BILLER, audit=Audit.MONEY),
    response_model=EncounterOut,
)
async def void_encounter(
    encounter_id: UUID, body: VoidIn, request: Request, principal: CurrentPrincipal, uow: CaptureWorkDep
) -> JSONResponse:
    """The visit is not to be billed: the encounter is kept as `voided` and its charges are voided."""

    async def operation() -> EncounterOut:
        return encounter_out(await handlers.void(uow, principal, encounter_id, body.reason))

    return await run_command(request, principal=principal, uow=uow, body=body, operation=operation, status_code=200)


@router.get(
    "/v1/encounters/{encounter_id}",
    openapi_extra=allow(Role.EHR_INTEGRATION, Role.BILLER, Role.FRONT_DESK, Role.READ_ONLY, audit=Audit.PHI),
    response_model=EncounterOut,
)
async def get_encounter(encounter_id: UUID, principal: CurrentPrincipal, uow: CaptureWorkDep) -> EncounterOut:
    async with uow:
        encounter = await uow.encounters.visible(principal, encounter_id)
    if encounter is None:
        raise NotFound("encounter not found")
    return encounter_out(encounter)


@router.get(
    "/v1/encounters",
    openapi_extra=allow(Role.EHR_INTEGRATION, Role.BILLER, Role.READ_ONLY, audit=Audit.PHI),
    response_model=EncounterPage,
)
async def list_encounters(
    principal: CurrentPrincipal,
    uow: CaptureWorkDep,
    practice_id: UUID | None = None,
    status: Literal["coded", "needs_review", "voided"] | None = None,
    external_id: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: UUID | None = None,
) -> EncounterPage:
    """Newest-agnostic keyset pages by id; pass `next_cursor` back as `cursor`."""
    async with uow:
        page, next_cursor = await uow.encounters.page(
            principal,
            practice_id=practice_id,
            status=status,
            external_id=external_id,
            limit=limit,
            cursor=cursor,
        )
    return EncounterPage(items=[summary(encounter) for encounter in page], next_cursor=next_cursor)


def summary(encounter: Encounter) -> EncounterSummary:
    return EncounterSummary(
        id=encounter.id,
        practice_id=encounter.practice_id,
        external_id=encounter.external_id,
        version=encounter.version,
        status=encounter.status,
        service_date=encounter.service_date,
        place_of_service=encounter.place_of_service,
        total_amount=encounter.total_amount,
        charges=[ChargeOut.model_validate(line, from_attributes=True) for line in encounter.lines],
        problems=list(encounter.problems),
        warnings=list(encounter.warnings),
    )


def encounter_out(encounter: Encounter) -> EncounterOut:
    """The encounter with its body as submitted, so that billing staff can correct and PUT it back."""
    return EncounterOut(
        **summary(encounter).model_dump(),
        encounter=EncounterIn.model_validate(encounter.request),
        created_at=encounter.created_at,
        updated_at=encounter.updated_at,
    )


def _errors(error: ValidationError) -> list[Reason]:
    return [
        Reason(rule="request", field=".".join(str(p) for p in item["loc"]) or "body", message=item["msg"])
        for item in error.errors()
    ]
