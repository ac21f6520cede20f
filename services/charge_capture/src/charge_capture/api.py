"""Charge capture's encounter API for EHR integrations (set-up for billing staff is `setup_api`)."""

from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from claimstream_platform.auth import Principal
from claimstream_platform.contracts import Reason
from claimstream_platform.db import UnitOfWork
from claimstream_platform.errors import Conflict, NotFound
from claimstream_platform.idempotency import Reply, run_command
from claimstream_platform.web import CurrentPrincipal, UnitOfWorkDep
from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import Field, TypeAdapter, ValidationError

from charge_capture import handlers
from charge_capture.fields import Input
from charge_capture.handlers import ItemOutcome
from charge_capture.repository import encounters
from charge_capture.schemas import (
    BatchItemResult,
    BatchResult,
    EncounterIn,
    EncounterOut,
    EncounterPage,
    VoidIn,
)

router = APIRouter()
MAX_BATCH = 1000
_encounter_adapter = TypeAdapter(EncounterIn)


def _today() -> Any:
    return datetime.now(UTC).date()


@router.post("/v1/encounters", status_code=201, response_model=EncounterOut)
async def post_encounter(
    body: EncounterIn, request: Request, principal: CurrentPrincipal, uow: UnitOfWorkDep
) -> JSONResponse:
    """201 with the coded (or held) encounter; 200 with the stored one when it was posted before."""

    async def operation() -> Reply:
        (outcome,) = await handlers.ingest(uow, principal, [(0, body)], today=_today())
        if outcome.outcome == "not_found":
            raise NotFound("practice not found", field="practice_id")
        if outcome.outcome == "conflict":
            raise Conflict(outcome.errors[0].message, field="external_id")
        assert outcome.encounter is not None
        if outcome.recorded_at is None:  # posted before: answer with what is stored
            return Reply(await _full(uow, outcome.encounter.id), 200)
        created = EncounterOut(
            **outcome.encounter.model_dump(),
            encounter=body,
            created_at=outcome.recorded_at,
            updated_at=outcome.recorded_at,
        )
        return Reply(created, 201)

    return await run_command(request, principal=principal, uow=uow, body=body, operation=operation)


class BatchIn(Input):
    encounters: list[dict[str, Any]] = Field(min_length=1, max_length=MAX_BATCH)


@router.post("/v1/encounters/batch", response_model=BatchResult)
async def post_encounter_batch(
    body: BatchIn, request: Request, principal: CurrentPrincipal, uow: UnitOfWorkDep
) -> JSONResponse:
    """Up to 1,000 encounters in one transaction, with a result per item: invalid items do not stop the rest."""
    parsed: list[tuple[int, EncounterIn]] = []
    invalid: list[ItemOutcome] = []
    for index, item in enumerate(body.encounters):
        try:
            parsed.append((index, _encounter_adapter.validate_python(item)))
        except ValidationError as error:
            invalid.append(ItemOutcome(index, "invalid", errors=_errors(error)))

    async def operation() -> BatchResult:
        outcomes = await handlers.ingest(uow, principal, parsed, today=_today()) if parsed else []
        results = sorted(outcomes + invalid, key=lambda o: o.index)
        return BatchResult(
            created=sum(o.outcome == "created" for o in results),
            existing=sum(o.outcome == "existing" for o in results),
            failed=sum(o.outcome not in ("created", "existing") for o in results),
            results=[BatchItemResult(**o.__dict__) for o in results],
        )

    return await run_command(request, principal=principal, uow=uow, body=body, operation=operation, status_code=200)


@router.put("/v1/encounters/{encounter_id}", response_model=EncounterOut)
async def put_encounter(
    encounter_id: UUID, body: EncounterIn, principal: CurrentPrincipal, uow: UnitOfWorkDep
) -> EncounterOut:
    """A corrected encounter: recoded as a new version; the previous version's charges are voided."""
    async with uow:
        await handlers.correct(uow, principal, encounter_id, body, today=_today())
        result = await _full(uow, encounter_id)
        await uow.commit()
    return result


@router.post("/v1/encounters/{encounter_id}/void", response_model=EncounterOut)
async def void_encounter(
    encounter_id: UUID, body: VoidIn, principal: CurrentPrincipal, uow: UnitOfWorkDep
) -> EncounterOut:
    """The visit is not to be billed: the encounter is kept as `voided` and its charges are voided."""
    async with uow:
        await handlers.void(uow, principal, encounter_id, body.reason)
        result = await _full(uow, encounter_id)
        await uow.commit()
    return result


@router.get("/v1/encounters/{encounter_id}", response_model=EncounterOut)
async def get_encounter(encounter_id: UUID, principal: CurrentPrincipal, uow: UnitOfWorkDep) -> EncounterOut:
    async with uow:
        result = await _full(uow, encounter_id, principal)
    return result


@router.get("/v1/encounters", response_model=EncounterPage)
async def list_encounters(
    principal: CurrentPrincipal,
    uow: UnitOfWorkDep,
    practice_id: UUID | None = None,
    status: Literal["coded", "needs_review", "voided"] | None = None,
    external_id: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: UUID | None = None,
) -> EncounterPage:
    """Newest-agnostic keyset pages by id; pass `next_cursor` back as `cursor`."""
    async with uow:
        page, next_cursor = await encounters.page(
            uow.session, principal, practice_id=practice_id, status=status, external_id=external_id, limit=limit,
            cursor=cursor,
        )  # fmt: skip
        lines = await encounters.lines_of(uow.session, [(row.id, row.version) for row in page])
    return EncounterPage(items=[handlers.summary(row, lines.get(row.id, [])) for row in page], next_cursor=next_cursor)


async def _full(uow: UnitOfWork, encounter_id: UUID, principal: Principal | None = None) -> EncounterOut:
    row = await encounters.in_scope_or_none(uow.session, principal, encounter_id)
    if row is None:
        raise NotFound("encounter not found")
    lines = await encounters.lines_of(uow.session, [(row.id, row.version)])
    return EncounterOut(
        **handlers.summary(row, lines.get(row.id, [])).model_dump(),
        encounter=EncounterIn.model_validate(row.request),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _errors(error: ValidationError) -> list[Reason]:
    return [
        Reason(rule="request", field=".".join(str(p) for p in item["loc"]) or "body", message=item["msg"])
        for item in error.errors()
    ]
