"""One request per OpenAPI operation, built from the operation itself: its path and query parameters, and a
minimal valid body (required fields only, plausible values), where every id takes the value it is given.

For the walls sweep (test_walls_sweep.py): `ids` maps a parameter or field name (`practice_id`, `claim_id`,
`case_ids`...) to another tenant's real id, so the request names that tenant's objects wherever the schema lets
it. Values no id fills come from the schema: an enum's first value, a format's plausible value, a known field's
plausible value (an NPI, a postal code), else the simplest string its pattern allows.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from functools import cache
from typing import Any
from urllib.parse import urlencode
from uuid import uuid4

from claimstream_platform.dates import business_date
from hypothesis import find
from hypothesis import strategies as st

TODAY = business_date()
# Plausible values of fields whose pattern alone makes a poor example (a checksummed NPI, a real diagnosis).
PLAUSIBLE: dict[str, Any] = {
    "npi": "1245319599",
    "tax_id": "123456789",
    "taxonomy": "1041C0700X",
    "state": "OR",
    "postal_code": "97201",
    "phone": "5035550100",
    "diagnoses": ["F33.1"],
    "code": "90837",
    "codes": ["90837"],
    "quantity": 4,
    "assignee": "sweep@example.test",
    "place_of_service": "11",
    "submitter_id": f"SW{uuid4().hex[:10].upper()}",  # one tenant's across the installation: one per run
    "member_id": "MSWEEP01",
    "payer_id": "SIMAHP",
    "birth_date": "1980-02-02",
    "start": str(TODAY),
    "end": str(TODAY + timedelta(days=90)),
    "period_from": str(TODAY),
    "period_to": str(TODAY + timedelta(days=30)),
    "service_date": str(TODAY - timedelta(days=2)),
    "effective_from": "2025-01-01",
    "settings": {"audio_only_covered": True},  # a payer policy override: one known setting
    "service": {"kind": "psychotherapy", "minutes": 55},  # an encounter gives a service or procedures
}
# Free-form items (a batch of encounters is a list of objects) take the schema of the one-item body.
ITEMS_LIKE = {"encounters": "EncounterIn"}
FORMATS = {"uuid": "00000000-0000-4000-8000-000000000000", "date": str(TODAY), "date-time": f"{TODAY}T09:00:00Z"}


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    params: dict[str, str] = field(default_factory=dict)
    json: Any = None
    content: bytes | None = None
    content_type: str | None = None

    def named(self) -> str:
        return f"{self.method} {self.path}"


def operations(document: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """Every operation of an OpenAPI document by (METHOD, path template)."""
    return {
        (method.upper(), path): operation
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    }


def request_for(
    document: dict[str, Any], method: str, template: str, ids: dict[str, Any], raw_bodies: dict[str, bytes]
) -> Request:
    """The operation's request with `ids` wherever a parameter or field of that name is (`raw_bodies`: a body
    by media type for the ones no JSON schema describes, an 835 for instance)."""
    operation = operations(document)[(method, template)]
    schemas = Schemas(document.get("components", {}).get("schemas", {}), ids)
    path, params = template, {}
    for parameter in operation.get("parameters", []):
        name, where = parameter["name"], parameter["in"]
        if name in ids:
            value = ids[name]
        elif parameter.get("required"):
            value = schemas.example(parameter.get("schema", {}), name)
        else:
            continue
        if where == "path":
            path = path.replace(f"{{{name}}}", str(value))
        elif where == "query":
            params[name] = str(value)
    return _with_body(Request(method, path, params), operation, schemas, raw_bodies)


FORM = "application/x-www-form-urlencoded"


def _with_body(request: Request, operation: dict[str, Any], schemas: "Schemas", raw: dict[str, bytes]) -> Request:
    content = operation.get("requestBody", {}).get("content", {})
    if not content:
        return request
    if "application/json" in content:
        body = schemas.example(content["application/json"]["schema"], "")
        return Request(request.method, request.path, request.params, json=body)
    if FORM in content:  # a page's form (the console's)
        fields = schemas.example(content[FORM]["schema"], "")
        return Request(
            request.method, request.path, request.params, content=urlencode(fields).encode(), content_type=FORM
        )
    media = next(media for media in content if media in raw)
    return Request(request.method, request.path, request.params, content=raw[media], content_type=media)


@dataclass(frozen=True)
class Schemas:
    components: dict[str, Any]
    ids: dict[str, Any]

    def example(self, schema: dict[str, Any], name: str) -> Any:
        """A minimal valid value of `schema` for a field called `name`."""
        schema = self.resolved(schema)
        if name.endswith(("_id", "_ids")) and name in self.ids:
            return self.ids[name]
        if name in PLAUSIBLE:
            return PLAUSIBLE[name]
        if name.endswith("npi"):
            return PLAUSIBLE["npi"]
        if "enum" in schema:
            return schema["enum"][0]
        if "const" in schema:
            return schema["const"]
        kind = schema.get("type")
        if kind == "object" or "properties" in schema:
            return self._object(schema)
        if kind == "array":
            items = schema.get("items", {})
            if name in ITEMS_LIKE and not items.get("properties"):
                items = {"$ref": f"#/components/schemas/{ITEMS_LIKE[name]}"}
            return [self.example(items, f"{name}[]")]
        return _scalar(schema, kind)

    def resolved(self, schema: dict[str, Any]) -> dict[str, Any]:
        """The schema behind a `$ref`, or the first alternative of an `anyOf` that is not null."""
        while True:
            if "$ref" in schema:
                schema = self.components[schema["$ref"].rsplit("/", 1)[-1]]
            elif "anyOf" in schema or "oneOf" in schema:
                options = schema.get("anyOf") or schema["oneOf"]
                schema = next(option for option in options if option.get("type") != "null")
            elif "allOf" in schema and len(schema["allOf"]) == 1:
                schema = schema["allOf"][0]
            else:
                return schema

    def _object(self, schema: dict[str, Any]) -> dict[str, Any]:
        """The required fields, every id field (an id the caller names is the point of the sweep), and the fields
        with a plausible value (a model may require one of several optional fields: codes with a quantity)."""
        required = set(schema.get("required", []))
        ids = {name for name in self.ids if name.endswith(("_id", "_ids"))}
        wanted = [name for name in schema.get("properties", {}) if name in required | ids | PLAUSIBLE.keys()]
        return {name: self.example(schema["properties"][name], name) for name in wanted}


def _scalar(schema: dict[str, Any], kind: str | None) -> Any:
    if kind == "integer":
        return max(int(schema.get("minimum", 1)), 1)
    if kind == "number":
        return "10.00"  # money is sent as a string, as clients send Decimal
    if kind == "boolean":
        return False
    if schema.get("format") in FORMATS:
        return FORMATS[schema["format"]]
    if "pattern" in schema:
        return simplest_match(schema["pattern"])
    return "sweep"[: schema.get("maxLength", 5)].ljust(schema.get("minLength", 1), "x")


@cache
def simplest_match(pattern: str) -> str:
    """The simplest string the pattern matches (hypothesis shrinks to it, deterministically)."""
    return str(find(st.from_regex(pattern, fullmatch=True), lambda _: True))
