"""RFC 9457 problem responses for every error a service can answer with.

Validation problems list each field and its reason, never the submitted value (it may be PHI).
"""

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException

from claimstream_platform.engines import is_transient
from claimstream_platform.errors import (
    Conflict,
    DomainError,
    Forbidden,
    NotFound,
    RuleViolation,
    TransientError,
    Unauthenticated,
)

log = logging.getLogger(__name__)
MEDIA_TYPE = "application/problem+json"
_STATUS_BY_ERROR: list[tuple[type[DomainError], int, str]] = [
    (NotFound, 404, "not-found"),
    (Forbidden, 403, "forbidden"),
    (Conflict, 409, "conflict"),
    (RuleViolation, 422, "rule-violation"),
]


def problem(
    status: int,
    title: str,
    *,
    slug: str,
    detail: str | None = None,
    errors: list[dict[str, Any]] | None = None,
    headers: Mapping[str, str] | None = None,
    instance: str | None = None,
    extensions: Mapping[str, Any] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {"type": f"urn:claimstream:problem:{slug}", "title": title, "status": status}
    body.update(extensions or {})
    if detail:
        body["detail"] = detail
    if instance:
        body["instance"] = instance
    if errors is not None:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def _field(location: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(part) for part in location]
    return ".".join(parts[1:] if parts and parts[0] == "body" else parts) or "body"


async def _validation_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    items = error.errors()
    bad_json = [item for item in items if item.get("type") == "json_invalid"]
    if bad_json:
        context = bad_json[0].get("ctx") or {}
        return problem(
            400,
            "Malformed JSON",
            slug="malformed-json",
            detail=f"the body is not valid JSON: {context.get('error', 'parse error')}",
            errors=[{"field": "body", "reason": str(context.get("error", "invalid JSON"))}],
        )
    errors = [{"field": _field(item["loc"]), "reason": item["msg"], "code": item["type"]} for item in items]
    return problem(
        422, "Invalid request", slug="validation", detail=f"{len(errors)} problem(s) in the request", errors=errors
    )


async def _domain_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, DomainError)
    return domain_problem(error)


def domain_problem(error: DomainError) -> JSONResponse:
    for error_type, status, slug in _STATUS_BY_ERROR:
        if isinstance(error, error_type):
            errors = [{"field": error.field, "reason": error.detail}] if error.field else None
            return problem(status, type(error).__name__, slug=slug, detail=error.detail, errors=errors)
    return problem(400, type(error).__name__, slug="bad-request", detail=error.detail)


async def _unauthenticated(_request: Request, error: Exception) -> JSONResponse:
    return unauthenticated(str(error))


def unauthenticated(detail: str) -> JSONResponse:
    return problem(
        401,
        "Unauthenticated",
        slug="unauthenticated",
        detail=detail,
        headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
    )


async def _http_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HTTPException)
    return problem(error.status_code, str(error.detail), slug=f"http-{error.status_code}", headers=error.headers)


async def _unavailable(request: Request, error: Exception) -> JSONResponse:
    if not is_transient(error):
        if isinstance(error, DBAPIError) and (getattr(error.orig, "sqlstate", None) or "").startswith("22"):
            # a data exception (a value out of range, text PostgreSQL cannot store): the request's fault
            return problem(422, "Invalid request", slug="validation", detail="a value cannot be stored")
        return await _unexpected(request, error)
    log.warning("dependency unavailable", extra={"error": type(error).__name__})
    what = str(error) if isinstance(error, TransientError) else "the database is unavailable or overloaded"
    retry_after = getattr(error, "retry_after", None) or 5
    return problem(
        503,
        "Service unavailable",
        slug="unavailable",
        detail=f"{what}; retry later",
        headers={"Retry-After": str(int(retry_after))},
    )


async def _too_deep(_request: Request, _error: Exception) -> JSONResponse:
    return problem(
        400,
        "Malformed JSON",
        slug="malformed-json",
        detail="the body is nested too deeply",
        errors=[{"field": "body", "reason": "nested too deeply"}],
    )


async def _unexpected(request: Request, error: Exception) -> JSONResponse:
    log.error("unhandled error", extra={"error": type(error).__name__, "path": request.url.path})
    return problem(500, "Internal error", slug="internal", detail="an unexpected error occurred; it has been logged")


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(Unauthenticated, _unauthenticated)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RecursionError, _too_deep)  # a body nested deeper than any parser will follow
    # Pool timeouts, connections lost in a restart, the server shutting down: 503 with Retry-After, never 500.
    for error_type in (DBAPIError, PoolTimeout, OSError, TimeoutError, TransientError):
        app.add_exception_handler(error_type, _unavailable)
    app.add_exception_handler(Exception, _unexpected)
