"""Charge capture's REST API: practice set-up for billing staff, encounters for EHR integrations."""

from datetime import UTC, datetime
from typing import Annotated, Any, Generic, Literal, TypeVar
from uuid import UUID, uuid4

from claimstream_platform.auth import Principal
from claimstream_platform.contracts import Reason
from claimstream_platform.errors import Conflict, Forbidden, NotFound, RuleViolation
from claimstream_platform.idempotency import Reply, run_command
from claimstream_platform.paging import in_scope, keyset_page
from claimstream_platform.web import CurrentPrincipal, UnitOfWorkDep
from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, TypeAdapter, ValidationError
from sqlalchemy import Table, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from charge_capture import handlers, repository
from charge_capture.coding.policy import check_settings
from charge_capture.handlers import ItemOutcome
from charge_capture.repository import (
    bump_payer_revision,
    modifiers_key,
    newest_schedule_if_same,
    payer_or_none,
    practice_or_none,
)
from charge_capture.schemas import (
    BatchItemResult,
    BatchResult,
    EncounterIn,
    EncounterOut,
    EncounterPage,
    FeeIn,
    FeeScheduleIn,
    FeeScheduleOut,
    Input,
    PayerIn,
    PayerOut,
    PolicyOverrideIn,
    PolicyOverrideOut,
    PracticeIn,
    PracticeOut,
    ProviderIn,
    ProviderOut,
    VoidIn,
)
from charge_capture.tables import (
    encounters,
    fee_schedule_entries,
    fee_schedules,
    payer_policy_overrides,
    payers,
    practices,
    providers,
)

router = APIRouter()
MAX_BATCH = 1000
T = TypeVar("T")
_encounter_adapter = TypeAdapter(EncounterIn)


def _today() -> Any:
    return datetime.now(UTC).date()


class Listing(BaseModel, Generic[T]):
    items: list[T]


# --- practices, providers, payers, fee schedules ---


@router.post("/v1/practices", status_code=201, response_model=PracticeOut)
async def create_practice(
    body: PracticeIn, request: Request, principal: CurrentPrincipal, uow: UnitOfWorkDep
) -> JSONResponse:
    if principal.practice_ids is not None:
        raise Forbidden("a token limited to some practices cannot create practices")

    async def operation() -> PracticeOut:
        values = {"tenant_id": principal.tenant_id, **body.model_dump(mode="json")}
        practice_id = await _insert_unique(
            uow.session, practices, values, "a practice with this billing NPI exists", "npi"
        )
        return PracticeOut(id=practice_id, **body.model_dump())

    return await run_command(request, principal=principal, uow=uow, body=body, operation=operation)


@router.get("/v1/practices", response_model=Listing[PracticeOut])
async def list_practices(principal: CurrentPrincipal, uow: UnitOfWorkDep) -> Listing[PracticeOut]:
    async with uow:
        rows = (
            await uow.session.execute(
                select(practices).where(practices.c.tenant_id == principal.tenant_id).order_by(practices.c.name)
            )
        ).all()
    return Listing(items=[_practice_out(row) for row in rows if principal.may_access(row.id)])


@router.get("/v1/practices/{practice_id}", response_model=PracticeOut)
async def get_practice(practice_id: UUID, principal: CurrentPrincipal, uow: UnitOfWorkDep) -> PracticeOut:
    async with uow:
        row = await _practice(uow.session, principal, practice_id)
    return _practice_out(row)


@router.post("/v1/practices/{practice_id}/providers", status_code=201, response_model=ProviderOut)
async def create_provider(
    practice_id: UUID, body: ProviderIn, request: Request, principal: CurrentPrincipal, uow: UnitOfWorkDep
) -> JSONResponse:
    async def operation() -> ProviderOut:
        await _practice(uow.session, principal, practice_id)
        values = {"tenant_id": principal.tenant_id, "practice_id": practice_id, **body.model_dump()}
        provider_id = await _insert_unique(
            uow.session, providers, values, "a provider with this NPI exists in the practice", "npi"
        )
        return ProviderOut(id=provider_id, practice_id=practice_id, **body.model_dump())

    return await run_command(request, principal=principal, uow=uow, body=body, operation=operation)


@router.get("/v1/practices/{practice_id}/providers", response_model=Listing[ProviderOut])
async def list_providers(practice_id: UUID, principal: CurrentPrincipal, uow: UnitOfWorkDep) -> Listing[ProviderOut]:
    async with uow:
        await _practice(uow.session, principal, practice_id)
        rows = (
            await uow.session.execute(
                select(providers).where(providers.c.practice_id == practice_id).order_by(providers.c.last_name)
            )
        ).all()
    return Listing(items=[ProviderOut.model_validate(row, from_attributes=True) for row in rows])


@router.post("/v1/practices/{practice_id}/payers", status_code=201, response_model=PayerOut)
async def create_payer(
    practice_id: UUID, body: PayerIn, request: Request, principal: CurrentPrincipal, uow: UnitOfWorkDep
) -> JSONResponse:
    async def operation() -> PayerOut:
        await _practice(uow.session, principal, practice_id)
        values = {"tenant_id": principal.tenant_id, "practice_id": practice_id, **body.model_dump()}
        payer_ref = await _insert_unique(
            uow.session, payers, values, "this payer is already set up for the practice", "payer_id"
        )
        return PayerOut(id=payer_ref, practice_id=practice_id, **body.model_dump())

    return await run_command(request, principal=principal, uow=uow, body=body, operation=operation)


@router.get("/v1/practices/{practice_id}/payers", response_model=Listing[PayerOut])
async def list_payers(practice_id: UUID, principal: CurrentPrincipal, uow: UnitOfWorkDep) -> Listing[PayerOut]:
    async with uow:
        await _practice(uow.session, principal, practice_id)
        rows = (
            await uow.session.execute(
                select(payers).where(payers.c.practice_id == practice_id).order_by(payers.c.payer_id)
            )
        ).all()
    return Listing(items=[PayerOut.model_validate(row, from_attributes=True) for row in rows])


@router.put("/v1/practices/{practice_id}/payers/{payer_id}/policy", response_model=Listing[PolicyOverrideOut])
async def put_payer_policy(
    practice_id: UUID,
    payer_id: str,
    body: PolicyOverrideIn,
    principal: CurrentPrincipal,
    uow: UnitOfWorkDep,
) -> Listing[PolicyOverrideOut]:
    """Set this payer's own policy settings from a date (same date again: replaced). Returns the history."""
    problems = check_settings(body.settings)
    if problems:
        raise RuleViolation("; ".join(problems), field="settings")
    async with uow:
        payer = await _payer(uow.session, principal, practice_id, payer_id)
        await bump_payer_revision(uow.session, payer.id)
        values = body.model_dump()
        await uow.session.execute(
            insert(payer_policy_overrides)
            .values(payer_ref=payer.id, **values)
            .on_conflict_do_update(index_elements=["payer_ref", "effective_from"], set_=values)
        )
        rows = (
            await uow.session.execute(
                select(payer_policy_overrides)
                .where(payer_policy_overrides.c.payer_ref == payer.id)
                .order_by(payer_policy_overrides.c.effective_from)
            )
        ).all()
        await uow.commit()
    return Listing(items=[PolicyOverrideOut.model_validate(row, from_attributes=True) for row in rows])


@router.put("/v1/practices/{practice_id}/fee-schedules/{payer_id}", response_model=FeeScheduleOut)
async def put_fee_schedule(
    practice_id: UUID, payer_id: str, body: FeeScheduleIn, principal: CurrentPrincipal, uow: UnitOfWorkDep
) -> FeeScheduleOut:
    """A new version of the payer's fee schedule from `effective_from`; earlier versions are kept. The same body
    again (a retry) returns the version it made and adds none."""
    async with uow:
        payer = await _payer(uow.session, principal, practice_id, payer_id)
        same = await newest_schedule_if_same(uow.session, payer.id, body.effective_from, _fee_rows(body))
        if same is not None:
            return FeeScheduleOut(id=same.id, payer_id=payer_id, effective_from=same.effective_from,
                                  created_at=same.created_at, entries=body.entries)  # fmt: skip
        await bump_payer_revision(uow.session, payer.id)
        schedule_id = uuid4()
        created_at = await uow.session.scalar(
            insert(fee_schedules)
            .values(
                id=schedule_id, tenant_id=principal.tenant_id, payer_ref=payer.id, effective_from=body.effective_from
            )
            .returning(fee_schedules.c.created_at)
        )
        await uow.session.execute(
            insert(fee_schedule_entries),
            [
                {
                    "schedule_id": schedule_id,
                    "code": e.code,
                    "modifiers": modifiers_key(e.modifiers),
                    "amount": e.amount,
                }
                for e in body.entries
            ],
        )
        await uow.commit()
    assert created_at is not None
    return FeeScheduleOut(
        id=schedule_id,
        payer_id=payer_id,
        effective_from=body.effective_from,
        created_at=created_at,
        entries=body.entries,
    )


@router.get("/v1/practices/{practice_id}/fee-schedules/{payer_id}", response_model=Listing[FeeScheduleOut])
async def get_fee_schedules(
    practice_id: UUID, payer_id: str, principal: CurrentPrincipal, uow: UnitOfWorkDep
) -> Listing[FeeScheduleOut]:
    """Every version, newest effective date first."""
    async with uow:
        payer = await _payer(uow.session, principal, practice_id, payer_id)
        schedules = (
            await uow.session.execute(
                select(fee_schedules)
                .where(fee_schedules.c.payer_ref == payer.id)
                .order_by(fee_schedules.c.effective_from.desc(), fee_schedules.c.created_at.desc())
            )
        ).all()
        entries: dict[UUID, list[FeeIn]] = {s.id: [] for s in schedules}
        if entries:
            for e in await uow.session.execute(
                select(fee_schedule_entries)
                .where(fee_schedule_entries.c.schedule_id.in_(list(entries)))
                .order_by(fee_schedule_entries.c.code, fee_schedule_entries.c.modifiers)
            ):
                modifiers = e.modifiers.split(":") if e.modifiers else []
                entries[e.schedule_id].append(FeeIn(code=e.code, modifiers=modifiers, amount=e.amount))
    return Listing(
        items=[
            FeeScheduleOut(
                id=s.id,
                payer_id=payer_id,
                effective_from=s.effective_from,
                created_at=s.created_at,
                entries=entries[s.id],
            )
            for s in schedules
        ]
    )


# --- encounters ---


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
            return Reply(await _full(uow.session, outcome.encounter.id), 200)
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
        result = await _full(uow.session, encounter_id)
        await uow.commit()
    return result


@router.post("/v1/encounters/{encounter_id}/void", response_model=EncounterOut)
async def void_encounter(
    encounter_id: UUID, body: VoidIn, principal: CurrentPrincipal, uow: UnitOfWorkDep
) -> EncounterOut:
    """The visit is not to be billed: the encounter is kept as `voided` and its charges are voided."""
    async with uow:
        await handlers.void(uow, principal, encounter_id, body.reason)
        result = await _full(uow.session, encounter_id)
        await uow.commit()
    return result


@router.get("/v1/encounters/{encounter_id}", response_model=EncounterOut)
async def get_encounter(encounter_id: UUID, principal: CurrentPrincipal, uow: UnitOfWorkDep) -> EncounterOut:
    async with uow:
        result = await _full(uow.session, encounter_id, principal)
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
    query = in_scope(
        select(encounters).where(encounters.c.tenant_id == principal.tenant_id),
        encounters.c.practice_id,
        principal,
        practice_id,
    )
    if status is not None:
        query = query.where(encounters.c.status == status)
    if external_id is not None:
        query = query.where(encounters.c.external_id == external_id)
    async with uow:
        page, next_cursor = await keyset_page(uow.session, query, encounters.c.id, limit=limit, cursor=cursor)
        lines = await repository.lines_of(uow.session, [(row.id, row.version) for row in page])
    return EncounterPage(items=[handlers.summary(row, lines.get(row.id, [])) for row in page], next_cursor=next_cursor)


# --- helpers ---


async def _insert_unique(
    session: AsyncSession, table: Table, values: dict[str, Any], conflict: str, field: str
) -> UUID:
    """Insert a set-up row with a new id; its unique constraint turns a duplicate into 409 naming `field`."""
    row_id = uuid4()
    created = await session.scalar(
        insert(table).values(id=row_id, **values).on_conflict_do_nothing().returning(table.c.id)
    )
    if created is None:
        raise Conflict(conflict, field=field)
    return row_id


async def _practice(session: AsyncSession, principal: Principal, practice_id: UUID) -> Any:
    principal.require_practice(practice_id)
    row = await practice_or_none(session, principal.tenant_id, practice_id)
    if row is None:
        raise NotFound("practice not found", field="practice_id")
    return row


async def _payer(session: AsyncSession, principal: Principal, practice_id: UUID, payer_id: str) -> Any:
    await _practice(session, principal, practice_id)
    row = await payer_or_none(session, principal.tenant_id, practice_id, payer_id)
    if row is None:
        raise NotFound("payer not set up for this practice", field="payer_id")
    return row


def _fee_rows(body: FeeScheduleIn) -> set[tuple[str, str, Any]]:
    return {(e.code, modifiers_key(e.modifiers), e.amount) for e in body.entries}


def _practice_out(row: Any) -> PracticeOut:
    return PracticeOut.model_validate(row, from_attributes=True)


async def _full(session: AsyncSession, encounter_id: UUID, principal: Principal | None = None) -> EncounterOut:
    query = select(encounters).where(encounters.c.id == encounter_id)
    if principal is not None:
        query = query.where(encounters.c.tenant_id == principal.tenant_id)
    row = (await session.execute(query)).one_or_none()
    if row is None or (principal is not None and not principal.may_access(row.practice_id)):
        raise NotFound("encounter not found")
    lines = await repository.lines_of(session, [(row.id, row.version)])
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
