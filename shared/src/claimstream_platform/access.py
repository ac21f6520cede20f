"""Who may call a route, declared on the route itself and enforced in one place.

Every route a service mounts says who may call it:

    @router.post("/v1/denials/{case_id}/write-off", openapi_extra=allow(Role.BILLER, audit=Audit.MONEY))

The declaration lands in the OpenAPI document as `x-access` (so the list of every route with its roles is
generated, never written by hand: docs/security.md), and the platform reads it back for each request: the
caller's token must carry one of the roles, the body must fit the route's cap, the request counts against the
route's rate class, and an audited route leaves a row in the access log. A route that declares nothing is
refused, so forgetting is safe. `public(why)` marks the rare route a caller reaches without our bearer token
(signing in; an outsider with a signed link of its own, checked by the route).
"""

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from claimstream_platform.auth import CLEARINGHOUSE_ROLES, OPERATOR, Role

EXTENSION = "x-access"


class Audit(StrEnum):
    """Why a route leaves a row in the PHI access log (docs/security.md)."""

    PHI = "phi"  # reads or exports patient, claim content, raw X12 or letters
    MONEY = "money"  # changes what someone owes or was paid
    ADMIN = "admin"  # changes who may do what, or the practice's set-up


class RateClass(StrEnum):
    """Budgets per route class: a batch of 1,000 encounters is one request, not a thousand."""

    READ = "read"
    WRITE = "write"
    BATCH = "batch"
    UPLOAD = "upload"
    SIGN_IN = "sign-in"
    PAYER = "payer"  # asks a payer through the clearinghouse while the caller waits (a 270, a 278): each costs a call


@dataclass(frozen=True)
class Access:
    roles: frozenset[str]
    audit: Audit | None = None
    max_body_bytes: int | None = None  # None: the platform's default cap (middleware.MAX_BODY_BYTES, 256 KiB)
    rate: RateClass | None = None  # None: READ for GET, WRITE otherwise
    public: str | None = None  # why a caller without our bearer token may reach it

    def admits(self, roles: frozenset[str]) -> bool:
        return bool(self.roles & roles)

    def rate_class(self, method: str) -> RateClass:
        return self.rate or (RateClass.READ if method in ("GET", "HEAD") else RateClass.WRITE)

    def declaration(self) -> dict[str, Any]:
        body: dict[str, Any] = {"roles": sorted(self.roles)}
        if self.rate:
            body["rate"] = str(self.rate)
        if self.audit:
            body["audit"] = str(self.audit)
        if self.max_body_bytes is not None:
            body["max_body_bytes"] = self.max_body_bytes
        if self.public:
            body["public"] = self.public
        return {EXTENSION: body}


def allow(
    *roles: Role | str,
    audit: Audit | None = None,
    max_body_bytes: int | None = None,
    rate: RateClass | None = None,
) -> dict[str, Any]:
    """The `openapi_extra` of a route: the roles that may call it (an operator route names `OPERATOR`)."""
    if not roles:
        raise ValueError("a route allows at least one role")
    unknown = {str(role) for role in roles} - {str(role) for role in Role} - {OPERATOR} - CLEARINGHOUSE_ROLES
    if unknown:
        raise ValueError(f"unknown roles {sorted(unknown)}")
    access = Access(frozenset(str(role) for role in roles), audit, max_body_bytes, rate)
    return access.declaration()


def public(why: str, *, max_body_bytes: int | None = None, rate: RateClass = RateClass.SIGN_IN) -> dict[str, Any]:
    return Access(frozenset(), None, max_body_bytes, rate, public=why).declaration()


def declared(route: object) -> Access | None:
    """What a matched route declares (None: nothing, and the route is refused)."""
    extra = getattr(route, "openapi_extra", None) or {}
    body = extra.get(EXTENSION)
    if not isinstance(body, dict):
        return None
    return Access(
        roles=frozenset(body["roles"]),
        audit=Audit(body["audit"]) if "audit" in body else None,
        max_body_bytes=body.get("max_body_bytes"),
        rate=RateClass(body["rate"]) if "rate" in body else None,
        public=body.get("public"),
    )
