"""The machinery of the walls sweep (test_walls_sweep.py): the worlds it runs against, and one route called with a
world's ids and with ids that never existed, the answers and what changed kept side by side."""

import asyncio
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from uuid import UUID, uuid4

import httpx
from claimstream_devtools.running_services import Services
from claimstream_devtools.testing import Keys
from openapi_requests import Request, request_for
from remittance_testkit import Payment, era
from walls_snapshot import Snapshot, Snapshots, changed
from walls_world import World, build_world

# The sweep's clients' TLS settings, made once: the services answer plain HTTP, but httpx reads the CA bundle for
# every client it builds, about 50 ms of CPU each under the suite's load (a profile: a minute of the sweep's
# two-worker run, for its 1,100 clients, one a route so that no route's connection is another's).
TLS = ssl.create_default_context()
SWEPT_SERVICES = {  # the OpenAPI title of each service (x-access names it so) -> its attribute on Services
    "charge-capture": "charge_capture",
    "claim-submission": "claim_submission",
    "eligibility": "eligibility",
    "prior-authorization": "prior_authorization",
    "remittance-posting": "remittance_posting",
    "denial-management": "denial_management",
    "projection": "projection",
    "identity": "identity",
    "patient-billing": "patient_billing",
    "billing-office": "billing_office",
    "clearinghouse-simulator": "simulator",
    "console": "console",
}


class Kind(StrEnum):
    OBJECT = "object"  # an object of theirs in the path: 404
    LIST = "list"  # their ids as filters: 200 without their rows (202: a bulk action's job of none), or 404
    CREATE = "create"  # their ids in the body of a new object: refused (404, or 422) as ids that never existed
    BATCH = "batch"  # their ids in each item: 200 with every item refused as for ids that never existed
    OWN = "own"  # the caller's own set-up or file: whatever it answers, nothing of theirs reached or shown
    OPERATOR = "operator"  # the installation's: refused to a tenant (403, 404), or a list without their rows
    OUTSIDE = "outside"  # the simulated clearinghouse: our tokens are not its credentials (401)
    # The caller's own session (renew, sign out): no one's ids in it, and calling it would end the sweep's token;
    # identity's own tests cover it. Listed, so that a new route still has to be placed, and not called.
    SESSION = "session"
    # Reached without our token (signing in, an invitation): refused as anyone unknown is, or slowed down (429) once
    # an email has failed too often, whoever's ids were sent.
    PUBLIC = "public"


# 403 where the answer is the same for ids that never existed (the sweep compares): a whole-tenant resource refused
# to a token limited to practices, whatever the ids, reveals nothing.
ALLOWED = {
    Kind.OBJECT: {403, 404},
    Kind.LIST: {200, 202, 403, 404},
    Kind.CREATE: {404, 422},
    Kind.BATCH: {200, 404, 422},
    Kind.OWN: {200, 201, 204, 403, 404, 422},
    Kind.PUBLIC: {401, 404, 422, 429},
    Kind.OPERATOR: {200, 403, 404},
    Kind.OUTSIDE: {401},
}


@dataclass(frozen=True)
class Answer:
    status: int
    text: str
    sent: str  # the request as sent (path, query and body), to tell an echoed id from a leaked one


@dataclass(frozen=True)
class Outcome:
    request: Request
    theirs: Answer  # with the world's real ids
    never: Answer  # with ids that never existed
    changed: list[str]  # the world's tables whose rows the call changed

    def leaked(self, markers: set[str], sent: str) -> list[str]:
        """The world's ids or names in the answer that the caller did not send (in this request or an earlier
        one: an 835 the caller uploaded naming their claim is the caller's own file, and lists it)."""
        return sorted(m for m in markers if m in self.theirs.text and m not in self.theirs.sent + sent)

    def problems(self, kind: Kind, markers: set[str], sent: str = "") -> list[str]:
        """What is wrong with the answers for a route of this kind: nothing, when the wall holds. (The caller's
        own set-up is not compared with a twin: the second of two identical creates is a conflict.)"""
        theirs, never = self.theirs, self.never
        leaked = self.leaked(markers, sent)
        found = [
            f"{theirs.status} (or {never.status} never existed) is a server error"
            if max(theirs.status, never.status) >= 500
            else "",
            f"the answer carries their {leaked}" if leaked else "",
            f"their rows changed: {self.changed}" if self.changed else "",
            f"{theirs.status} differs from the {never.status} for ids that never existed"
            if theirs.status != never.status and kind not in (Kind.OWN, Kind.PUBLIC)
            else "",
            f"{theirs.status} is not one of {sorted(ALLOWED[kind])}" if theirs.status not in ALLOWED[kind] else "",
        ]
        return [f"{self.request.named()}: {problem}; {theirs.text[:300]}" for problem in found if problem]


@dataclass
class Scope:
    """Who calls (a token of tenant A) and whose objects it names (a world it must not reach)."""

    token: str
    world: World
    practice: UUID | None  # the world's practice, when the wall is the practice's and not the tenant's

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class Sweep:
    services: Services
    documents: dict[str, dict[str, Any]]  # service -> its live OpenAPI
    scopes: dict[str, Scope]
    snapshots: Snapshots
    loop: asyncio.AbstractEventLoop
    before: dict[str, Snapshot]

    sent: dict[str, str] = field(default_factory=dict)  # scope -> every request it sent, for `Outcome.leaked`

    def verdict(self, scope: str, kind: Kind, outcome: "Outcome") -> list[str]:
        problems = outcome.problems(kind, self.scopes[scope].world.markers, self.sent.get(scope, ""))
        self.sent[scope] = self.sent.get(scope, "") + outcome.theirs.sent
        return problems

    def snapshot(self, scope: Scope) -> Snapshot:
        return self.loop.run_until_complete(self.snapshots.of(scope.world.tenant, scope.practice))

    def call(self, scope_name: str, service: str, method: str, path: str) -> Outcome:
        scope = self.scopes[scope_name]
        theirs, never = self._requests(scope, service, method, path)
        with self._client(scope, service) as client:
            before = self.snapshot(scope) if method != "GET" else {}
            answer = _send(client, theirs)
            after = self.snapshot(scope) if method != "GET" else {}
            return Outcome(theirs, answer, _send(client, never), changed(before, after))

    def send(self, scope_name: str, service: str, method: str, path: str) -> None:
        """The route's two requests, without a look at the answers or the rows: what a write sets off later."""
        scope = self.scopes[scope_name]
        with self._client(scope, service) as client:
            for request in self._requests(scope, service, method, path):
                _send(client, request)

    def _requests(self, scope: Scope, service: str, method: str, path: str) -> tuple[Request, Request]:
        """The route called with their ids, and with ids that never existed."""
        document = self.documents[service]
        theirs = request_for(document, method, path, scope.world.ids, _raw_bodies(scope.world.ids))
        twin = scope.world.twin()
        return theirs, request_for(document, method, path, twin, _raw_bodies(twin))

    def _client(self, scope: Scope, service: str) -> httpx.Client:
        base = getattr(self.services, SWEPT_SERVICES[service])
        return httpx.Client(base_url=base, headers=scope.headers(), timeout=30, verify=TLS)


def _send(client: httpx.Client, request: Request) -> Answer:
    headers = {"Content-Type": request.content_type} if request.content_type else {}
    response = client.request(
        request.method,
        request.path,
        params=request.params,
        json=request.json,
        content=request.content,
        headers=headers,
    )
    sent = f"{response.request.url} {response.request.content.decode(errors='replace')}"
    return Answer(response.status_code, response.text, sent)


def _raw_bodies(ids: dict[str, Any]) -> dict[str, bytes]:
    """An 835 paying the world's claim (its control number, the payer's claim number) under a new trace."""
    payment = Payment(str(ids.get("patient_control_number", "NONE")), payer_claim_number=str(ids["payer_claim_number"]))
    x12 = era(payment, trace=uuid4().hex[:12].upper(), payer_id="SIMMCR")
    trace = f"EFT{uuid4().hex[:10].upper()}"  # a bank's file: a deposit of the caller's own (BAI2, and a CSV)
    credit = f"16,165,1200,0,B1,,HCCLAIMPMT TRN*1*{trace}*1311111111\\"
    bai2 = [
        "01,B,D,261201,0800,1,,,2/",
        "02,D,B,1,261201,,USD,2/",
        "03,1234,USD/",
        credit,
        "49,1200,3/",
        "98,1200,1,5/",
    ]
    deposits = {
        "text/plain": "\n".join([*bai2, "99,1200,1,7/"]),
        "text/csv": f"date,amount,trace\n2026-12-01,12.00,{trace}\n",
    }
    return {"application/edi-x12": x12.encode()} | {media: body.encode() for media, body in deposits.items()}


@contextmanager
def running_sweep(services: Services, keys: Keys, database_url: str) -> Iterator[Sweep]:
    """Tenant B's world, and tenant A's practice P2's; A's tokens: every role, and one limited to A's P1."""
    loop = asyncio.new_event_loop()
    a, b = uuid4(), uuid4()
    try:
        theirs, p2, p1 = loop.run_until_complete(_worlds(services, keys, a, b))
        snapshots = loop.run_until_complete(Snapshots.open(database_url))
        for world in (theirs, p2):
            world.ids["suggestion_id"] = loop.run_until_complete(_suggestion(snapshots, world))
            world.markers.add(world.ids["suggestion_id"])
        scopes = {
            "tenant": Scope(keys.issuer.issue(tenant_id=a), theirs, None),
            "practice": Scope(keys.issuer.issue(tenant_id=a, practice_ids=[p1]), p2, UUID(p2.ids["practice_id"])),
        }
        before = {
            name: loop.run_until_complete(snapshots.settled(s.world.tenant, s.practice)) for name, s in scopes.items()
        }
        documents = {
            name: httpx.get(f"{getattr(services, attr)}/openapi.json").json() for name, attr in SWEPT_SERVICES.items()
        }
        yield Sweep(services, documents, scopes, snapshots, loop, before)
        loop.run_until_complete(snapshots.close())
    finally:
        loop.close()


async def _worlds(services: Services, keys: Keys, a: UUID, b: UUID) -> tuple[World, World, UUID]:
    theirs, p2 = await asyncio.gather(
        build_world(services, keys, b, "Quenby"), build_world(services, keys, a, "Thistlewood")
    )
    headers = {"Authorization": f"Bearer {keys.issuer.issue(tenant_id=a)}"}
    async with httpx.AsyncClient(base_url=services.charge_capture, headers=headers, timeout=30) as capture:
        practice = {
            "name": "Harbor Counseling",
            "npi": "1234567893",
            "tax_id": "987654321",
            "taxonomy": "261QM0801X",
            "address": {"line1": "9 Pier St", "city": "Portland", "state": "OR", "postal_code": "97209"},
        }
        created = await capture.post("/v1/practices", json=practice)
        assert created.status_code == 201, created.text
    return theirs, p2, UUID(created.json()["id"])


async def _suggestion(snapshots: Snapshots, world: World) -> str:
    """A scrub-rule suggestion of the world's tenant, written as denial management writes one. Not by the flow:
    the HMO's CO-5 denials reach denial management without a procedure code (the payer denies the whole claim),
    and a pattern needs one, so three of them suggest nothing."""
    suggestion = str(uuid4())
    await snapshots.connection.execute(
        "INSERT INTO denial_management.rule_suggestions (id, tenant_id, payer_id, procedure_code, carc, category, "
        "condition, message, claims, amount, status, created_at, updated_at) VALUES ($1, $2, 'SIMAHP', '90834', "
        "'CO-5', 'place_of_service', 'telehealth_at_office', 'SIMAHP denied 3 claims with 90834 as CO-5 in 90 days',"
        " 3, 420.00, 'suggested', now(), now())",
        UUID(suggestion),
        world.tenant,
    )
    return suggestion
