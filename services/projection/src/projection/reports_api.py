"""Reports: A/R aging, patient balances and KPIs as of any date, denial analytics, and the claims behind each
number (the drill-down). HTTP only: the SQL is in repository/reports.py and repository/kpis.py."""

from datetime import date, timedelta
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from claimstream_platform.access import Audit, allow
from claimstream_platform.auth import Role
from claimstream_platform.dates import business_date
from claimstream_platform.errors import RuleViolation
from claimstream_platform.paging import OrderedPaging, Paging
from claimstream_platform.web import CurrentPrincipal
from fastapi import APIRouter, Query
from pydantic import BaseModel

from projection import kpis
from projection.api import ClaimPage, ProjectionWorkDep
from projection.repository.kpis import Period
from projection.repository.reports import Opened

router = APIRouter(tags=["reports"])
Payer = Annotated[str | None, Query(max_length=80)]


class AgingRow(BaseModel):
    key: str | None  # the payer id, the practice's patient id, or the rendering NPI
    d0_30: Decimal
    d31_60: Decimal
    d61_90: Decimal
    d91_120: Decimal
    over_120: Decimal
    total: Decimal
    credits: Decimal  # overpaid claims, apart from the buckets
    claims: int


class Aging(BaseModel):
    as_of: date
    by: str
    basis: str
    rows: list[AgingRow]  # a page of them, by key (one per patient, by patient: thousands)
    next_cursor: str | None  # the `cursor` of the next page of rows; None on the last
    total: AgingRow  # of every row, not only this page's


AGING_BASIS = (
    "open balance per claim on as_of from the ledger's entries up to that day; by payer: what insurance owes, aged "
    "from the date of service; by patient: what patients owe, aged from the day it became theirs; by provider: both, "
    "from the date of service"
)


@router.get("/v1/ar/aging", openapi_extra=allow(Role.BILLER, Role.READ_ONLY), response_model=Aging)
async def aging(
    principal: CurrentPrincipal,
    uow: ProjectionWorkDep,
    page: OrderedPaging,
    practice_id: UUID | None = None,
    by: Literal["payer", "patient", "provider"] = "payer",
    as_of: date | None = None,
) -> Aging:
    """Open balances by age, a page of rows by key, and the total of them all."""
    day = as_of or business_date()
    async with uow:
        found, next_cursor, sums = await uow.reports.aging(principal, practice_id, by, day, page)
    rows = [AgingRow.model_validate(dict(r._mapping)) for r in found]
    total = AgingRow.model_validate({"key": None, **sums._mapping})
    return Aging(as_of=day, by=by, basis=AGING_BASIS, rows=rows, next_cursor=next_cursor, total=total)


class PatientBalance(BaseModel):
    patient_ref: str
    balance: Decimal
    claims: int
    oldest_service_date: date | None


class Balances(BaseModel):
    as_of: date
    items: list[PatientBalance]
    next_cursor: str | None


@router.get(
    "/v1/balances/patients",
    # the front desk collects what a patient owes at check-in, so it reads the balances too
    openapi_extra=allow(Role.BILLER, Role.FRONT_DESK, Role.READ_ONLY, audit=Audit.PHI),
    response_model=Balances,
)
async def patient_balances(
    principal: CurrentPrincipal,
    uow: ProjectionWorkDep,
    page: OrderedPaging,
    practice_id: UUID | None = None,
    as_of: date | None = None,
) -> Balances:
    """What each patient owes on `as_of`, by the practice's patient id, a page at a time."""
    day = as_of or business_date()
    async with uow:
        rows, next_cursor = await uow.reports.patient_balances(principal, practice_id, day, page)
    items = [PatientBalance.model_validate(dict(r._mapping)) for r in rows]
    return Balances(as_of=day, items=items, next_cursor=next_cursor)


class Kpi(BaseModel):
    value: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    basis: str
    numerator_claims: str  # the drill-down: the claims behind the numerator
    denominator_claims: str


class Kpis(BaseModel):
    service_from: date
    service_to: date
    as_of: date
    kpis: dict[str, Kpi]


def _period(
    practice_id: UUID | None,
    payer_id: str | None,
    service_from: date | None,
    service_to: date | None,
    as_of: date | None,
) -> Period:
    day = as_of or business_date()
    end = service_to or day
    start = service_from or end - timedelta(days=29)  # default: the thirty days up to `to`
    if start > end:
        raise RuleViolation("from is after to", field="from")
    return Period(practice_id, payer_id, start, end, day)


def _drill_link(name: str, part: str, period: Period) -> str:
    query = f"kpi={name}&part={part}&from={period.service_from}&to={period.service_to}&as_of={period.as_of}"
    if period.practice_id:
        query += f"&practice_id={period.practice_id}"
    if period.payer_id:
        query += f"&payer_id={period.payer_id}"
    return f"/v1/kpis/claims?{query}"


@router.get("/v1/kpis", openapi_extra=allow(Role.TENANT_ADMIN, Role.BILLER, Role.READ_ONLY), response_model=Kpis)
async def kpi_report(
    principal: CurrentPrincipal,
    uow: ProjectionWorkDep,
    practice_id: UUID | None = None,
    payer_id: Payer = None,
    service_from: Annotated[date | None, Query(alias="from")] = None,
    service_to: Annotated[date | None, Query(alias="to")] = None,
    as_of: date | None = None,
) -> Kpis:
    """The period is by date of service (default: the thirty days up to `to`); as_of picks the day the answer is for."""
    period = _period(practice_id, payer_id, service_from, service_to, as_of)
    async with uow:
        figures = await uow.kpis.figures(principal, period)
        if period.payer_id is None:  # the patients pay toward no payer's claims
            figures["patient_collected"] = await uow.patients.collected(principal, period)
    values = kpis.figures_to_kpis(figures, kpis.days_counted(period.service_from, period.service_to, period.as_of))
    report = {
        name: Kpi(
            value=v,
            numerator=n,
            denominator=d,
            basis=kpis.BASIS[name],
            numerator_claims=_drill_link(name, "numerator", period),
            denominator_claims=_drill_link(name, "denominator", period),
        )
        for name, (v, n, d) in values.items()
    }
    return Kpis(service_from=period.service_from, service_to=period.service_to, as_of=period.as_of, kpis=report)


@router.get(
    "/v1/kpis/claims", openapi_extra=allow(Role.BILLER, Role.READ_ONLY, audit=Audit.PHI), response_model=ClaimPage
)
async def kpi_claims(
    principal: CurrentPrincipal,
    uow: ProjectionWorkDep,
    page: Paging,
    kpi: Literal[tuple(kpis.DRILL)],  # type: ignore[valid-type]
    part: Literal["numerator", "denominator"] = "numerator",
    practice_id: UUID | None = None,
    payer_id: Payer = None,
    service_from: Annotated[date | None, Query(alias="from")] = None,
    service_to: Annotated[date | None, Query(alias="to")] = None,
    as_of: date | None = None,
) -> ClaimPage:
    """The claims a KPI's numerator or denominator counted."""
    period = _period(practice_id, payer_id, service_from, service_to, as_of)
    claim_set = kpis.DRILL[kpi][0 if part == "numerator" else 1]
    async with uow:
        return ClaimPage.of(*await uow.kpis.drill(principal, period, claim_set, limit=page.limit, cursor=page.cursor))


class DenialRow(BaseModel):
    key: str | None
    cases: int
    amount: Decimal
    rejections: int
    resolved: int
    recovered: Decimal
    written_off: Decimal
    claims: str  # the drill-down


DenialKey = Literal["category", "carc", "payer", "code", "provider"]


@router.get("/v1/denials/analytics", openapi_extra=allow(Role.BILLER, Role.READ_ONLY), response_model=list[DenialRow])
async def denial_analytics(
    principal: CurrentPrincipal,
    uow: ProjectionWorkDep,
    by: DenialKey = "category",
    practice_id: UUID | None = None,
    opened_from: Annotated[date | None, Query(alias="from")] = None,
    opened_to: Annotated[date | None, Query(alias="to")] = None,
) -> list[DenialRow]:
    """Denial and rejection cases opened in the period (default: the thirty days up to `to`), by one key."""
    period = _period(practice_id, None, opened_from, opened_to, None)
    opened = Opened(practice_id, period.service_from, period.service_to, by)
    async with uow:
        rows = await uow.reports.denial_analytics(principal, opened)
    base = f"/v1/denials/analytics/claims?by={by}&from={period.service_from}&to={period.service_to}"
    return [DenialRow(**_denial(r), claims=f"{base}&key={r.key}") for r in rows]


def _denial(row: Any) -> dict[str, Any]:
    return {name: value if value is not None or name == "key" else 0 for name, value in row._mapping.items()}


@router.get(
    "/v1/denials/analytics/claims",
    openapi_extra=allow(Role.BILLER, Role.READ_ONLY, audit=Audit.PHI),
    response_model=ClaimPage,
)
async def denial_claims(
    principal: CurrentPrincipal,
    uow: ProjectionWorkDep,
    page: Paging,
    key: Annotated[str, Query(max_length=80)],
    by: DenialKey = "category",
    practice_id: UUID | None = None,
    opened_from: Annotated[date | None, Query(alias="from")] = None,
    opened_to: Annotated[date | None, Query(alias="to")] = None,
) -> ClaimPage:
    period = _period(practice_id, None, opened_from, opened_to, None)
    opened = Opened(practice_id, period.service_from, period.service_to, by)
    async with uow:
        return ClaimPage.of(
            *await uow.reports.denial_claims(principal, opened, key, limit=page.limit, cursor=page.cursor)
        )
