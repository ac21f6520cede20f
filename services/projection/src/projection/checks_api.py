"""The money checksum over HTTP (docs/money.md): for the tenant (or one practice), both sides summed and the
encounters whose sides differ; and for one claim, its encounter's. HTTP only: the SQL is in repository/checks.py."""

from decimal import Decimal
from typing import Any
from uuid import UUID

from claimstream_platform.access import allow
from claimstream_platform.auth import Role
from claimstream_platform.errors import NotFound
from claimstream_platform.paging import OrderedPaging
from claimstream_platform.web import CurrentPrincipal
from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict

from projection.api import ProjectionWorkDep

router = APIRouter(tags=["checks"])
BASIS = (
    "charged (the live primary claims' charges; a replaced or voided claim's does not count) = paid (by every "
    "payer, net of reversals and recoupments) + adjusted (contractual and payment adjustments) + written off by "
    "decision + the patients' balance + the open insurance balance; both sides summed per encounter"
)


class Sides(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    charged: Decimal
    paid: Decimal
    adjusted: Decimal
    written_off: Decimal
    patient: Decimal
    insurance: Decimal
    difference: Decimal  # charged less the rest: zero when every dollar is accounted for


PATIENT_BASIS = (
    "the patients' balance from the ledger = paid by the patients - refunded to them + adjusted by the practice + "
    "what they owe - the credit they hold, from the patient accounts' events and standings"
)


class PatientTerms(BaseModel):
    """The patients' balance followed into their accounts (checks.PatientSide)."""

    model_config = ConfigDict(from_attributes=True)

    basis: str = PATIENT_BASIS
    share: Decimal
    billed: Decimal
    unbilled: Decimal  # shares the accounts have not taken yet: in flight, or a visit with no patient id
    paid: Decimal
    refunded: Decimal
    adjusted: Decimal
    open: Decimal
    credit: Decimal
    difference: Decimal  # zero when every patient dollar is accounted for
    events_missing: int


class EncounterOff(Sides):
    encounter_id: UUID | None


class LedgerCheck(Sides):
    basis: str
    encounters: int
    encounters_off: int  # encounters whose two sides differ: each one an alert
    off: list[EncounterOff]  # a page of them, the largest differences first
    off_next_cursor: str | None  # the `cursor` of the next page of them; None on the last
    patients: PatientTerms


class EncounterCheck(Sides):
    basis: str
    encounter_id: UUID


@router.get(
    "/v1/ledger/check", openapi_extra=allow(Role.BILLER, Role.READ_ONLY, Role.AUDITOR), response_model=LedgerCheck
)
async def ledger_check(
    principal: CurrentPrincipal,
    uow: ProjectionWorkDep,
    page: OrderedPaging,
    practice_id: UUID | None = None,
) -> Any:
    """The money checksum of the tenant's encounters (or one practice's), now, with a page of the encounters off
    (`limit`, `cursor`: `off_next_cursor` asks for the next), and the patients' balance followed into their
    accounts."""
    async with uow:
        await uow.one_snapshot()  # the ledger's sums and the patients' add up at one instant
        totals = await uow.checks.totals(principal, practice_id)
        off, next_cursor = await uow.checks.off(principal, practice_id, page) if totals.encounters_off else ([], None)
        patients = await uow.patients.side(principal, practice_id, totals.patient)
    return LedgerCheck(
        **Sides.model_validate(totals).model_dump(),
        basis=BASIS,
        encounters=totals.encounters,
        encounters_off=totals.encounters_off,
        off=[EncounterOff.model_validate(row) for row in off],
        off_next_cursor=next_cursor,
        patients=PatientTerms.model_validate(patients),
    )


@router.get(
    "/v1/ledger/check/claims/{claim_id}",
    openapi_extra=allow(Role.BILLER, Role.READ_ONLY, Role.AUDITOR),
    response_model=EncounterCheck,
)
async def claim_check(claim_id: UUID, principal: CurrentPrincipal, uow: ProjectionWorkDep) -> Any:
    """The money checksum of the claim's encounter (every version and payer of its claims together)."""
    async with uow:
        found = await uow.reads.claim(principal, claim_id)
        row = await uow.checks.of_encounter(principal, found.encounter_id) if found is not None else None
    if row is None:
        raise NotFound("claim not found", field="claim_id")
    return EncounterCheck(**Sides.model_validate(row).model_dump(), basis=BASIS, encounter_id=row.encounter_id)
