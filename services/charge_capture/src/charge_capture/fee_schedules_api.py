"""A payer's fee schedules over HTTP: a new version from a date (earlier ones are kept), the versions a page at a
time with the first page of each one's entries embedded, and a version's entries a page at a time (a version holds
up to 10,000). HTTP only: the SQL is `uow.fee_schedules`."""

from typing import Any
from uuid import UUID

from claimstream_platform.access import Audit, allow
from claimstream_platform.auth import Role
from claimstream_platform.errors import NotFound
from claimstream_platform.idempotency import run_command
from claimstream_platform.paging import OrderedPaging
from claimstream_platform.web import CurrentPrincipal
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from charge_capture.api import CaptureWorkDep
from charge_capture.repository.reference import modifiers_key
from charge_capture.setup_api import payer_in_scope
from charge_capture.setup_schemas import FeeIn, FeeScheduleIn, FeeScheduleOut, Page

router = APIRouter()
# A fee schedule of 10,000 entries (its most), each with four modifiers, pretty-printed: 1.5 MB.
FEE_SCHEDULE_BODY_BYTES = 2 * 1024 * 1024
SCHEDULES = "/v1/practices/{practice_id}/fee-schedules/{payer_id}"


@router.put(
    SCHEDULES,
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
    again (a retry) returns the version it made and adds none. The answer carries the entries it was sent."""

    async def operation() -> FeeScheduleOut:
        payer = await payer_in_scope(uow, principal, practice_id, payer_id)
        version = await uow.fee_schedules.newest_if_same(payer.id, body.effective_from, _fee_rows(body))
        if version is None:
            await uow.setup.bump_payer_revision(payer.id)
            entries = [(e.code, e.modifiers, e.amount) for e in body.entries]
            version = await uow.fee_schedules.add(principal.tenant_id, payer.id, body.effective_from, entries)
        return _version_out(version, payer_id, body.entries, None)

    return await run_command(request, principal=principal, uow=uow, body=body, operation=operation, status_code=200)


@router.get(
    SCHEDULES,
    openapi_extra=allow(Role.TENANT_ADMIN, Role.BILLER, Role.READ_ONLY),
    response_model=Page[FeeScheduleOut],
)
async def get_fee_schedules(
    practice_id: UUID, payer_id: str, principal: CurrentPrincipal, uow: CaptureWorkDep, page: OrderedPaging
) -> Page[FeeScheduleOut]:
    """The versions, newest effective date first, each with the first page of its entries (at most 50, by code)
    and `entries_next_cursor` for the rest (`GET .../versions/{id}/entries?cursor=`)."""
    async with uow:
        payer = await payer_in_scope(uow, principal, practice_id, payer_id)
        versions, next_cursor = await uow.fee_schedules.versions(principal.tenant_id, payer.id, page)
        entries = await uow.fee_schedules.first_entries([version.id for version in versions])
    items = [_version_out(v, payer_id, [_fee(e) for e in entries[v.id][0]], entries[v.id][1]) for v in versions]
    return Page(items=items, next_cursor=next_cursor)


@router.get(
    SCHEDULES + "/versions/{version_id}/entries",
    openapi_extra=allow(Role.TENANT_ADMIN, Role.BILLER, Role.READ_ONLY),
    response_model=Page[FeeIn],
)
async def get_fee_schedule_entries(
    practice_id: UUID,
    payer_id: str,
    version_id: UUID,
    principal: CurrentPrincipal,
    uow: CaptureWorkDep,
    page: OrderedPaging,
) -> Page[FeeIn]:
    """One version's entries by code (then modifiers), a page at a time."""
    async with uow:
        payer = await payer_in_scope(uow, principal, practice_id, payer_id)
        found = await uow.fee_schedules.entries(principal.tenant_id, payer.id, version_id, page)
    if found is None:
        raise NotFound("fee schedule version not found", field="version_id")
    rows, next_cursor = found
    return Page(items=[_fee(row) for row in rows], next_cursor=next_cursor)


def _version_out(version: Any, payer_id: str, entries: list[FeeIn], more: str | None) -> FeeScheduleOut:
    return FeeScheduleOut(
        id=version.id,
        payer_id=payer_id,
        effective_from=version.effective_from,
        created_at=version.created_at,
        entries=entries,
        entries_next_cursor=more,
    )


def _fee(row: Any) -> FeeIn:
    return FeeIn(code=row.code, modifiers=row.modifiers.split(":") if row.modifiers else [], amount=row.amount)


def _fee_rows(body: FeeScheduleIn) -> set[tuple[str, str, Any]]:
    return {(e.code, modifiers_key(e.modifiers), e.amount) for e in body.entries}
