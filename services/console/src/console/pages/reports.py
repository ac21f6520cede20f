"""An owner's view: A/R aging by payer, practice or provider as of any day (of every practice or one), drawn as a
chart, each bucket leading to its claims; the KPIs month by month up to that day, each leading to the claims behind
it."""

import asyncio
from datetime import date, timedelta
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from claimstream_platform.access import allow
from claimstream_platform.auth import Role
from claimstream_platform.dates import add_months, business_date
from claimstream_platform.errors import NotFound
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from console.backend import Backend, Refused
from console.charts import BUCKETS, aging_bars, columns
from console.render import BackendDep, filters, page, token

router = APIRouter(tags=["console"], default_response_class=HTMLResponse)
READERS = (Role.BILLER, Role.READ_ONLY)
# A day to read the books as of: within the years a billing company's books can span (the buckets reach back a
# century from it, and the KPIs six months).
Day = Annotated[date | None, Query(ge=date(1950, 1, 1), le=date(2999, 12, 31))]
AT_ONCE = 8  # practices aged at once, by practice: a billing company of many, without a burst at the projection
TRENDED = ("clean_claim_rate", "denial_rate", "days_in_ar", "net_collection_rate")
# The ages of a bucket as days before the as-of day: its claims' dates of service (aging by payer or provider).
AGES = {"d0_30": (0, 30), "d31_60": (31, 60), "d61_90": (61, 90), "d91_120": (91, 120), "over_120": (121, 36500)}


@router.get("/ar", response_class=HTMLResponse, openapi_extra=allow(*READERS))
async def aging(
    request: Request,
    backend: BackendDep,
    as_of: Day = None,
    by: Literal["payer", "practice", "provider"] = "payer",
    practice_id: Annotated[UUID | Literal[""] | None, Query()] = None,  # "": every practice (the form's first)
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> HTMLResponse:
    day, caller = as_of or business_date(), token(request)
    practices = (await backend.get(caller, "charge_capture", "/v1/practices", {"limit": 200}))["items"]
    wanted = {"as_of": str(day), "by": by, "practice_id": str(practice_id) if practice_id else None}
    if by == "practice":
        chosen = [p for p in practices if not practice_id or p["id"] == str(practice_id)]
        found = await _by_practice(backend, caller, day, chosen)
    else:
        found = await backend.get(caller, "projection", "/v1/ar/aging", wanted | {"cursor": cursor, "limit": 50})
    drill = {bucket: _service_dates(day, bucket) for bucket, _ in BUCKETS}
    shown: dict[str, Any] = {"aging": found, "bars": aging_bars(found["rows"]), "buckets": BUCKETS, "drill": drill}
    shown |= {"by": by, "practices": practices, "practice_id": wanted["practice_id"]}
    return page(request, "ar.html", as_of=day, next_cursor=found["next_cursor"], query=filters(wanted), **shown)


async def _by_practice(backend: Backend, caller: str, day: date, practices: list[dict[str, Any]]) -> dict[str, Any]:
    """A row per practice (the projection ages one practice's claims at a time, a few at once), and their total:
    what insurance and patients owe, from the date of service (the projection's by-provider basis)."""
    asked = {"as_of": str(day), "by": "provider", "limit": 1}
    rows = []
    for start in range(0, len(practices), AT_ONCE):
        some = practices[start : start + AT_ONCE]
        reads = [backend.get(caller, "projection", "/v1/ar/aging", asked | {"practice_id": p["id"]}) for p in some]
        for practice, one in zip(some, await asyncio.gather(*reads), strict=True):
            rows.append(one["total"] | {"key": practice["name"], "practice_id": practice["id"]})
    whole: dict[str, Any] = await backend.get(caller, "projection", "/v1/ar/aging", asked)
    return whole | {"rows": rows, "next_cursor": None}


def _service_dates(day: date, bucket: str) -> dict[str, str]:
    """The drill-down's filter: the claims whose dates of service put them in the bucket on `day`."""
    youngest, oldest = AGES[bucket]
    return {"service_date_from": str(day - timedelta(days=oldest)), "service_date_to": str(day - timedelta(youngest))}


@router.get("/kpis", response_class=HTMLResponse, openapi_extra=allow(*READERS))
async def kpis(request: Request, backend: BackendDep, as_of: Day = None) -> HTMLResponse:
    """Six calendar months up to `as_of`, each as it stood on `as_of` (or on its own last day, if earlier)."""
    day = as_of or business_date()
    months = []
    for back in range(5, -1, -1):
        first = add_months(day.replace(day=1), -back)
        last = min(add_months(first, 1) - timedelta(days=1), day)
        wanted = {"from": str(first), "to": str(last), "as_of": str(last)}
        months.append((first, await backend.get(token(request), "projection", "/v1/kpis", wanted)))
    trends = {name: columns([(f"{m:%b}", _value(k, name)) for m, k in months]) for name in TRENDED}
    return page(request, "kpis.html", as_of=day, months=months, trends=trends, trended=TRENDED)


def _value(report: dict[str, dict[str, dict[str, str | None]]], name: str) -> Decimal | None:
    value = report["kpis"].get(name, {}).get("value")
    return None if value is None else Decimal(value)


@router.get("/kpis/claims", response_class=HTMLResponse, openapi_extra=allow(*READERS))
async def kpi_claims(
    request: Request,
    backend: BackendDep,
    kpi: Annotated[str, Query(max_length=60)],
    part: Literal["numerator", "denominator"] = "numerator",
    service_from: Annotated[date | None, Query(alias="from")] = None,
    service_to: Annotated[date | None, Query(alias="to")] = None,
    as_of: date | None = None,
    cursor: Annotated[str | None, Query(max_length=80)] = None,
) -> HTMLResponse:
    wanted = {"kpi": kpi, "part": part, "from": service_from, "to": service_to, "as_of": as_of, "cursor": cursor}
    try:
        found = await backend.get(token(request), "projection", "/v1/kpis/claims", wanted)
    except Refused as refused:
        if refused.status == 422 and refused.fields & {"kpi", "query.kpi"}:
            raise NotFound("no such KPI", field="kpi") from None  # a name the projection does not know
        raise
    title = f"{kpi.replace('_', ' ')}: the claims of its {part}"
    shown = {"claims": found["items"], "next_cursor": found["next_cursor"], "wanted": {}, "title": title}
    return page(request, "claims.html", query=filters({k: v for k, v in wanted.items() if k != "cursor"}), **shown)
