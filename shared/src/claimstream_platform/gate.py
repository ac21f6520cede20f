"""What the platform decides before it reads a single byte of a request's body (issue 26, N6).

Which route the request is for (matched as the app's router will match it), what that route declares
(`access.allow`), who calls (the bearer token, verified here and kept in the request's state for the route), whether
the caller's roles may call it, whether the process takes one more request and the caller's tenant one more of the
process's slots (shedding.py), and whether its budget allows one more request of the route's class. Only then does
the middleware read the body, up to the route's own cap. docs/security.md, "Limits and the access log's emission".
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from fastapi import Request
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts
from starlette.datastructures import QueryParams
from starlette.routing import BaseRoute, Match
from starlette.types import Scope

from claimstream_platform import access_log, telemetry
from claimstream_platform.access import Access, declared
from claimstream_platform.access_log import PendingAccess
from claimstream_platform.auth import Caller, Principal
from claimstream_platform.errors import Forbidden, TransientError, Unauthenticated
from claimstream_platform.limits import Decision, RateLimiter
from claimstream_platform.problems import domain_problem, problem, unauthenticated
from claimstream_platform.shedding import AT_BOUND, Shed, Slot, party

Authenticate = Callable[[Request], Caller]


@dataclass(frozen=True)
class Matched:
    route: BaseRoute
    template: str  # the route's path as declared: "/v1/claims/{claim_id}", never the request's ids
    path_params: dict[str, Any]
    access: Access | None  # None: the route declares nothing (health, docs; a service route is then refused)
    query_ids: frozenset[str] = frozenset()  # the query parameters it declares that name its object (access_log)


class RouteTable:
    """The app's routes in the router's order, flattened on first use; each route's declaration read once."""

    def __init__(self) -> None:
        self._routes: list[RouteContext] | None = None
        self._declared: dict[int, tuple[Access | None, frozenset[str]]] = {}

    def match(self, scope: Scope) -> Matched | None:
        """The route the router will run (the first full match), or None: the router answers 404 or 405."""
        if self._routes is None:
            self._routes = list(iter_route_contexts(scope["app"].routes))
        for context in self._routes:
            match, child_scope = context.matches(scope)
            if match is Match.FULL:
                route = context.original_route
                template = context.path_format or getattr(route, "path", "") or ""
                access, query_ids = self._declaration(route)
                return Matched(route, template, dict(child_scope.get("path_params", {})), access, query_ids)
        return None

    def _declaration(self, route: BaseRoute) -> tuple[Access | None, frozenset[str]]:
        if id(route) not in self._declared:
            query_ids = frozenset(name for name in _query_parameters(route) if access_log.names_an_object(name))
            self._declared[id(route)] = (declared(route), query_ids)
        return self._declared[id(route)]


def _query_parameters(route: BaseRoute) -> set[str]:
    """The query parameters a route declares, its dependencies' included, by the names callers give them."""
    names: set[str] = set()
    dependants = [route.dependant] if isinstance(route, APIRoute) else []
    while dependants:
        dependant = dependants.pop()
        names.update(parameter.alias for parameter in dependant.query_params)
        dependants.extend(dependant.dependencies)
    return names


@dataclass(frozen=True)
class Admitted:
    matched: Matched | None = None
    caller: Caller | None = None  # None: nobody authenticated here (a public or undeclared route)
    slot: Slot | None = None  # its place among the process's requests in flight (None: health, docs, 404)

    @property
    def access(self) -> Access | None:
        return self.matched.access if self.matched else None

    def release(self) -> None:
        if self.slot is not None:
            self.slot.release()


async def admit(scope: Scope, routes: RouteTable, authenticate: Authenticate) -> Admitted | JSONResponse:
    """Admitted, or the refusal to answer: 401, 403, 429 (a budget spent, or the tenant over its share of the
    process), or 503 (the process at its bound, or the limiter's store down too long). Admitted holds a slot
    that the caller releases when the request ends."""
    matched = routes.match(scope)
    if matched is None:
        return Admitted()
    scope["route"] = matched.route  # the route's template in metrics and access logs, refused or not
    if matched.access is None:  # health, readiness, metrics, docs: never shed, never counted in flight
        return Admitted(matched)
    await scope["app"].state.platform.revocations.fresh()  # older than a second: refreshed before it is consulted
    caller = _caller(scope, matched.access, authenticate)
    if isinstance(caller, JSONResponse):
        return caller
    slot = scope["app"].state.platform.shedder.admit(party(caller))
    if isinstance(slot, Shed):
        return _shed(scope, slot, caller)
    try:
        refusal = await _spend_budget(scope, matched.access, caller)
    except BaseException:
        slot.release()
        raise
    if refusal is not None:
        slot.release()
        return refusal
    return Admitted(matched, caller, slot)


def _caller(scope: Scope, access: Access, authenticate: Authenticate) -> Caller | None | JSONResponse:
    """The verified caller (None on a public route), or the refusal: 401, 403, 503 (the revocation list)."""
    if access.public:
        return None
    try:
        caller = authenticate(Request(scope))  # kept in scope["state"]: the route does not verify it again
    except Unauthenticated as error:
        return unauthenticated(str(error))
    except TransientError as error:  # what authenticating needs (the revocation list) is out of reach
        return unavailable(str(error), retry_after=int(error.retry_after or 5))
    if not access.admits(caller.roles):
        return domain_problem(Forbidden("your role does not allow this action", field="token"))
    return caller


async def _spend_budget(scope: Scope, access: Access, caller: Caller | None) -> JSONResponse | None:
    limiter: RateLimiter = scope["app"].state.platform.limiter
    rate = access.rate_class(scope["method"])
    tenant_id, client = _who(scope, caller)
    decision = await limiter.check(rate, tenant_id=tenant_id, client=client)
    return None if decision.allowed else _refusal(decision, str(rate))


def _shed(scope: Scope, shed: Shed, caller: Caller | None) -> JSONResponse:
    """Answered at once, nothing read, nothing asked of the database; counted by reason and route template."""
    template = getattr(scope.get("route"), "path", None) or "unmatched"
    telemetry.HTTP_SHED.add(1, {"reason": shed.reason, "method": scope["method"], "route": template})
    headers = {"Retry-After": str(shed.retry_after)}
    if shed.reason == AT_BOUND:
        detail = f"this server is at its limit of requests in flight; retry after {shed.retry_after} s"
        return problem(503, "Service unavailable", slug="overloaded", detail=detail, headers=headers)
    whose = "your tenant's" if isinstance(caller, Principal) else "operators'" if caller else "anonymous callers'"
    detail = f"{whose} requests hold their share of this server's requests in flight; retry after {shed.retry_after} s"
    return problem(429, "Too many requests", slug="over-share", detail=detail, headers=headers)


def _who(scope: Scope, caller: Caller | None) -> tuple[UUID | None, str]:
    """The tenant whose budget the request spends (None: an operator's, or a public route's caller) and the
    client's own key: a token's subject within its tenant, an operator's subject, or the caller's address."""
    if isinstance(caller, Principal):
        return caller.tenant_id, f"{caller.tenant_id}/{caller.subject}"
    if caller is not None:
        return None, f"operator/{caller.subject}"
    return None, f"address/{client_address(scope) or 'unknown'}"


def client_address(scope: Scope) -> str | None:
    """The caller's address as the server saw it (behind a proxy, what the server's proxy-header setting gives)."""
    client = scope.get("client")
    return str(client[0]) if client else None


def _query_ids(scope: Scope, names: frozenset[str]) -> dict[str, list[str]]:
    if not names:
        return {}
    given = QueryParams(scope.get("query_string", b""))
    return {name: given.getlist(name) for name in sorted(names)}


def unavailable(what: str, *, retry_after: int) -> JSONResponse:
    detail = f"{what}; retry later"
    headers = {"Retry-After": str(retry_after)}
    return problem(503, "Service unavailable", slug="unavailable", detail=detail, headers=headers)


def _refusal(decision: Decision, rate: str) -> JSONResponse:
    if decision.unavailable:
        return unavailable("request limits cannot be counted right now", retry_after=decision.retry_after)
    headers = {"Retry-After": str(decision.retry_after)}
    detail = f"the {decision.spent} budget for {rate} requests is spent for now; retry after {decision.retry_after} s"
    return problem(429, "Too many requests", slug="rate-limited", detail=detail, headers=headers)


def pending_access(scope: Scope, admitted: Admitted, correlation_id: UUID) -> PendingAccess | None:
    """The access record of an audited route's request, filled in before the route runs (None: not audited)."""
    matched, caller = admitted.matched, admitted.caller
    if matched is None or matched.access is None or matched.access.audit is None or caller is None:
        return None
    principal = caller if isinstance(caller, Principal) else None
    return PendingAccess(
        service=scope["app"].state.platform.settings.service_name,
        actor=caller.subject,
        actor_kind=str(principal.kind) if principal else "operator",
        tenant_id=principal.tenant_id if principal else None,
        audit=matched.access.audit,
        action=f"{scope['method']} {matched.template}",
        resource=access_log.resource(matched.path_params, _query_ids(scope, matched.query_ids)),
        status=getattr(matched.route, "status_code", None) or 200,
        client=client_address(scope),
        correlation_id=correlation_id,
    )
