"""Every route of every service says who may call it, and the list is the one docs/security.md shows.

The declaration (`claimstream_platform.access.allow`) is the only place a route's roles are written; the platform
refuses a route that declares none, and this test fails first. No stack: the packages' own apps.
"""

from pathlib import Path

import pytest
from claimstream_devtools.routes import access_table, routes
from claimstream_platform.access import declared
from claimstream_platform.kit import discover
from fastapi.routing import APIRoute

ROOT = Path(__file__).parents[2]
ROUTES = list(routes(ROOT / "services"))


def test_there_are_routes_to_check() -> None:
    assert len({service for service, _, _ in ROUTES}) >= 8 and len(ROUTES) > 80


@pytest.mark.parametrize(("service", "method", "route"), ROUTES, ids=lambda v: getattr(v, "path", v))
def test_every_route_declares_who_may_call_it(service: str, method: str, route: APIRoute) -> None:
    access = declared(route)
    assert access is not None, f"{service} {method} {route.path} declares no roles"
    assert access.roles or access.public, f"{service} {method} {route.path} admits nobody"


def test_every_service_with_an_audited_route_publishes_its_access_records() -> None:
    """An audited route stages its access record in its service's outbox: a service without the outbox relay never
    sends it to identity's log (the projection's PHI reads were in no log until tests/reliability scenario 23)."""
    silent = {
        service.name
        for service in discover(ROOT / "services")
        if not service.publishes
        and any((access := declared(route)) is not None and access.audit for r in service.routers for route in r.routes)
    }
    assert silent == set()


def test_the_published_table_is_the_declared_one() -> None:
    published = (ROOT / "docs" / "security-routes.md").read_text()
    missing = [line for line in access_table() if f"- {line}" not in published]
    assert not missing, "docs/security-routes.md is stale; run `python -m claimstream_devtools.routes`:\n" + "\n".join(
        missing
    )
