"""An OpenAPI that tells the truth, and docs that work offline.

FastAPI documents its own validation error (`HTTPValidationError`) and no authentication. Every service answers
RFC 9457 problems instead, and every route but health and metrics needs a bearer token: the schema says so
here, once, for all services. `/docs` (Swagger UI) and `/redoc` load their assets from the service itself, not
from a CDN: our users' machines are often offline.
"""

from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from claimstream_platform.problems import MEDIA_TYPE

ASSETS = Path(fastapi_offline.__file__).parent / "static"  # Swagger UI 5 and ReDoc 2, MIT
PUBLIC = frozenset({"/healthz", "/readyz", "/metrics"})
PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "RFC 9457 problem details; `errors` names each bad field and why, never its value.",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string", "example": "urn:claimstream:problem:validation"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "reason"],
                "properties": {"field": {"type": "string"}, "reason": {"type": "string"}, "code": {"type": "string"}},
            },
        },
    },
    "additionalProperties": True,
}
REASONS = {
    "400": "Malformed JSON or a structure too deep",
    "401": "No valid bearer token",
    "403": "The token's tenant, practices or roles do not allow this",
    "404": "Not found for this tenant and its practices",
    "409": "Conflicts with what is stored (another version, another content under the same key)",
    "413": "Body too large",
    "422": "Invalid request: each field and why",
    "429": "A request budget is spent, or the tenant holds its share of the server: retry after the Retry-After header",
    "503": "The database or Kafka is away, or the server is at its limit: retry after the Retry-After header",
}


def install(app: FastAPI) -> None:
    """Replace the app's schema with the truthful one and serve the docs from local assets."""
    app.openapi = lambda: _schema(app)  # type: ignore[method-assign]
    app.mount("/docs/assets", StaticFiles(directory=ASSETS), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title=f"{app.title} API",
            swagger_js_url="/docs/assets/swagger-ui-bundle.js",
            swagger_css_url="/docs/assets/swagger-ui.css",
            swagger_favicon_url="/docs/assets/favicon.png",
        )

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url="/openapi.json",
            title=f"{app.title} API",
            redoc_js_url="/docs/assets/redoc.standalone.js",
            redoc_favicon_url="/docs/assets/favicon.png",
            with_google_fonts=False,
        )


def _schema(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(title=app.title, version=app.version, routes=app.routes)
    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    components["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            _document_problems(path, method, operation)
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    app.openapi_schema = schema
    return schema


def _document_problems(path: str, method: str, operation: dict[str, Any]) -> None:
    responses = operation.setdefault("responses", {})
    statuses = {"503"}
    if path not in PUBLIC:  # any authenticated route may refuse the token, miss what it names, or break a rule
        operation["security"] = [{"bearer": []}]
        statuses |= {"401", "403", "404", "422", "429"}  # 429: its rate budget, or its share of the process
    if "requestBody" in operation or method in ("post", "put", "patch"):
        statuses |= {"400", "413"}
    if method in ("post", "put", "patch") and path not in PUBLIC:
        statuses.add("409")
    content = {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for status in sorted(statuses):
        own = responses.get(status, {}).get("description")  # a route's own words, not FastAPI's default
        description = own if own and own != "Validation Error" else REASONS[status]
        responses[status] = {"description": description, "content": content}
    for status in ("429", "503"):
        if status in responses:
            responses[status]["headers"] = {"Retry-After": {"schema": {"type": "integer"}, "description": "seconds"}}
