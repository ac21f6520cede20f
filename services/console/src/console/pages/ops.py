"""An installation operator's pages: the streams' throughput, each consumer group's lag per partition, the dead
letters (reason, origin, headers we show; never a payload) with their redrive, the quarantined inbound documents
(retry or discard), and every service's loops as their last passes left them; and the projection's rebuilds with
the progress of the latest."""

import asyncio
from collections import defaultdict
from typing import Annotated, Any
from urllib.parse import quote

from claimstream_platform.access import allow
from claimstream_platform.auth import OPERATOR
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from console.backend import Backend, Refused, Unavailable
from console.render import BackendDep, CheckedForm, Reload, form_key, page, reloads_itself, token

router = APIRouter(tags=["console"], default_response_class=HTMLResponse)


@router.get("/ops", response_class=HTMLResponse, openapi_extra=allow(OPERATOR))
async def streams(
    request: Request, backend: BackendDep, minutes: Annotated[int, Query(ge=1, le=1440)] = 60
) -> HTMLResponse:
    caller = token(request)
    health = await backend.get(caller, "projection", "/v1/stream/health", {"minutes": minutes, "latest": 50})
    inbound = await backend.get(caller, "claim_submission", "/v1/inbound", {"status": "quarantined", "limit": 50})
    shown: dict[str, Any] = {"throughput": _per_topic(health["per_minute"]), "lags": health["consumer_lag"] or []}
    shown |= {"dead_letters": health["dead_letters"], "letters": health["latest_dead_letters"]}
    shown |= {"documents": inbound["items"], "loops": await _loops(backend), "minutes": minutes}
    return page(request, "ops.html", **shown)


def _per_topic(per_minute: list[dict[str, Any]]) -> list[tuple[str, int]]:
    """Events per topic over the window, the busiest first."""
    counted: dict[str, int] = defaultdict(int)
    for rate in per_minute:
        counted[rate["topic"]] += int(rate["count"])
    return sorted(counted.items(), key=lambda pair: -pair[1])


async def _loops(backend: Backend) -> list[tuple[str, str, dict[str, Any]]]:
    """Each service's loops from its `/readyz` (public: it names loops and times, nothing of a tenant's)."""
    services = sorted(backend.urls)
    answers = await asyncio.gather(*(_ready(backend, service) for service in services))
    found: list[tuple[str, str, dict[str, Any]]] = []
    for service, ready in zip(services, answers, strict=True):
        if ready is None:
            found.append((service, "not answering", {}))
        found += [(service, name, beat) for name, beat in sorted((ready or {}).get("loops", {}).items())]
    return found


async def _ready(backend: Backend, service: str) -> dict[str, Any] | None:
    try:
        found: dict[str, Any] = (await backend.call(None, "GET", service, "/readyz")).json()
        return found
    except (Refused, Unavailable):
        return None


@router.post("/ops/dead-letters/redrive", openapi_extra=allow(OPERATOR))
async def redrive(request: Request, backend: BackendDep, form: CheckedForm) -> Response:
    """One event's letters sent back to its topic, after the fix that lets its consumer apply it."""
    topic, event_id = quote(str(form.get("topic") or ""), safe=""), quote(str(form.get("event_id") or ""), safe="")
    path = f"/v1/stream/dead-letters/{topic}/events/{event_id}/redrive"  # bounded at 20 s by the projection
    sent = await backend.post(token(request), "projection", path, None, seconds=30)
    what = f"{sent['events']} event sent back ({sent['letters']} letters; {sent['redriven_before']} redriven before)"
    return page(request, "done.html", what=what, back="/ops")


@router.post("/ops/documents/{document_id}/{action}", openapi_extra=allow(OPERATOR))
async def document(request: Request, backend: BackendDep, document_id: int, action: str, form: CheckedForm) -> Response:
    """A quarantined document applied again (after a fix) or discarded."""
    if action not in ("retry", "discard"):
        return page(request, "problem.html", status=404, title="Not found", detail="no such action on a document")
    path = f"/v1/inbound/{document_id}/{action}"
    await backend.post(token(request), "claim_submission", path, {}, key=form_key(form))
    return RedirectResponse("/ops", status_code=303)


@router.get("/ops/rebuilds", response_class=HTMLResponse, openapi_extra=allow(OPERATOR))
async def rebuilds(request: Request, backend: BackendDep, refresh: Reload = "on") -> HTMLResponse:
    """The projection's latest rebuilds (`python -m projection rebuild`, run by an operator at a terminal), the
    latest with its progress, reloading itself while it runs, unless the person stops it."""
    found = await backend.get(token(request), "projection", "/v1/rebuilds")
    shown = rebuilds_shown(found["items"], refresh)
    answer = page(request, "rebuilds.html", **shown)
    return reloads_itself(answer, request) if shown["refreshing"] else answer


def rebuilds_shown(items: list[dict[str, Any]], refresh: Reload) -> dict[str, Any]:
    """The latest run and those before it; followed while the latest runs and writes (a stalled one has nothing
    new to show), reloading unless turned off."""
    latest = items[0] if items else None
    following = latest is not None and latest["running"] and not latest["stalled"]
    return {"latest": latest, "earlier": items[1:], "following": following, "refreshing": following and refresh == "on"}
