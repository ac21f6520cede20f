"""The clearinghouse's HTTP API, shaped like the ones that exist: submit X12, poll an inbox, acknowledge.

Every route needs a bearer token of the simulator's own (its key, issuer and audience: claimstream's tokens are
refused). A submitter is the token's tenant: it sees only its own inbox, and enrolls and reads only its own
roster, against which its claims, 270s and 278s are matched. Running an adjudication cycle on demand is an
operator's action (the worker runs one on a timer).
"""

from datetime import date
from decimal import Decimal
from hashlib import sha256
from typing import Annotated, Literal
from uuid import UUID

from claimstream_platform.access import allow
from claimstream_platform.auth import CLEARINGHOUSE_ACCOUNT, CLEARINGHOUSE_OPERATOR
from claimstream_platform.errors import NotFound, RuleViolation
from claimstream_platform.idempotency import run_command, run_no_content
from claimstream_platform.problems import problem
from claimstream_platform.web import CurrentPrincipal, get_unit_of_work
from claimstream_platform.x12 import X12Error, parse_interchange
from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from clearinghouse_simulator import intake, settle
from clearinghouse_simulator.payers import PayerBook, PayerProfile, shipped
from clearinghouse_simulator.repository import SimulatorWork

router = APIRouter()
SimulatorWorkDep = Annotated[SimulatorWork, Depends(get_unit_of_work)]  # the service's own unit of work
MAX_INTERCHANGE_BYTES = 5 * 1024 * 1024


def book(request: Request) -> PayerBook:
    found: PayerBook = getattr(request.app.state, "payer_book", None) or shipped()
    return found


class SubmissionOut(BaseModel):
    submission_id: UUID
    acknowledgments: list[str]
    claims_accepted: int
    claims_rejected: int
    responses: list[str]  # 271 and 278 responses, at once


class Digest(BaseModel):
    content_sha256: str


X12_BODY = {"requestBody": {"required": True, "content": {"application/edi-x12": {"schema": {"type": "string"}}}}}


@router.post(
    "/v1/interchanges",
    openapi_extra=allow(CLEARINGHOUSE_ACCOUNT, max_body_bytes=MAX_INTERCHANGE_BYTES) | X12_BODY,
    response_model=SubmissionOut,
)
async def submit(request: Request, principal: CurrentPrincipal, uow: SimulatorWorkDep) -> JSONResponse:
    """An X12 interchange as the body; its 999(s) come back at once, 277CAs and 835s go to the inbox."""
    raw = await request.body()  # bounded as it streams in: the route's body cap is MAX_INTERCHANGE_BYTES
    try:
        interchange = parse_interchange(raw.decode("ascii"))
    except UnicodeDecodeError as error:
        raise RuleViolation(f"X12 is ASCII: byte {error.start} is not", field="body") from None
    except X12Error as error:
        raise RuleViolation(str(error), field=f"segment {error.position} ({error.tag})") from None

    digest = Digest(content_sha256=sha256(raw).hexdigest())  # what an Idempotency-Key's replay is compared on

    async def operation() -> SubmissionOut:
        receipt = await intake.receive(
            uow, principal.tenant_id, interchange, book(request), content_sha256=digest.content_sha256
        )
        return SubmissionOut(
            submission_id=receipt.submission_id,
            acknowledgments=receipt.acknowledgments,
            claims_accepted=receipt.claims_accepted,
            claims_rejected=receipt.claims_rejected,
            responses=receipt.responses,
        )

    try:
        return await run_command(
            request, principal=principal, uow=uow, body=digest, operation=operation, status_code=200
        )
    except intake.AlreadyReceived as taken:  # nothing stored: the transaction rolled back
        return problem(
            409,
            "AlreadyReceived",
            slug="conflict",
            detail=taken.detail,
            errors=[{"field": "ISA13", "reason": taken.detail}],
            extensions={"content_sha256": taken.content_sha256},
        )


class DocumentOut(BaseModel):
    id: int
    kind: str
    content: str


class Inbox(BaseModel):
    items: list[DocumentOut]


@router.get("/v1/inbox", openapi_extra=allow(CLEARINGHOUSE_ACCOUNT), response_model=Inbox)
async def inbox(
    principal: CurrentPrincipal,
    uow: SimulatorWorkDep,
    kind: Literal["277CA", "835", "271", "277", "278"] | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Inbox:
    """Documents not yet acknowledged, oldest first."""
    async with uow:
        rows = await uow.inbox.waiting(principal.tenant_id, kind, limit)
    return Inbox(items=[DocumentOut(id=row.id, kind=row.kind, content=row.content) for row in rows])


@router.post("/v1/inbox/{document_id}/ack", openapi_extra=allow(CLEARINGHOUSE_ACCOUNT), status_code=204)
async def acknowledge(
    request: Request,
    document_id: Annotated[int, Path(ge=1, le=2**63 - 1)],
    principal: CurrentPrincipal,
    uow: SimulatorWorkDep,
) -> Response:
    """Remove a document from the inbox (repeatable)."""

    async def remove() -> None:
        if not await uow.inbox.acknowledge(principal.tenant_id, document_id):
            raise NotFound("document not found")

    return await run_no_content(request, principal=principal, uow=uow, body=None, operation=remove)


class PayerOut(BaseModel):
    payer_id: str
    name: str
    kind: str
    claim_filing_indicator: str


@router.get(
    "/v1/payers", openapi_extra=allow(CLEARINGHOUSE_ACCOUNT, CLEARINGHOUSE_OPERATOR), response_model=list[PayerOut]
)
async def payers(request: Request) -> list[PayerOut]:
    return [
        PayerOut(payer_id=p.payer_id, name=p.name, kind=p.kind, claim_filing_indicator=p.claim_filing_indicator)
        for p in book(request).payers.values()
    ]


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class MemberIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    member_id: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
    first_name: Text
    last_name: Text
    birth_date: date
    coverage_start: date
    coverage_end: date | None = None
    deductible: Annotated[Decimal, Field(ge=0, max_digits=10, decimal_places=2)] | None = None
    coinsurance: Annotated[Decimal, Field(ge=0, le=1, max_digits=4, decimal_places=3)] | None = None
    copay: Annotated[Decimal, Field(ge=0, max_digits=10, decimal_places=2)] | None = None
    # paper: the member's claims are accepted and adjudicated, but no 835 is sent for them (the payer pays by
    # check, and the practice keys the EOB); electronic: remitted in 835s
    remittance: Literal["electronic", "paper"] = "electronic"


class MemberOut(MemberIn):
    payer_id: str
    deductible_met: Decimal
    visits_used: int
    also_enrolled_with: list[str] = []  # a carve-out plan's member: its behavioral-health administrator too


@router.post(
    "/v1/payers/{payer_id}/members",
    openapi_extra=allow(CLEARINGHOUSE_ACCOUNT, CLEARINGHOUSE_OPERATOR),
    response_model=MemberOut,
    status_code=201,
)
async def enroll(
    payer_id: str, body: MemberIn, request: Request, principal: CurrentPrincipal, uow: SimulatorWorkDep
) -> JSONResponse:
    """Enroll (or update) a member; cost sharing not given comes from the payer's plan. A plan that carves its
    mental-health benefits out: the member joins its administrator's roster too, by the same member id (with that
    administrator's cost sharing where not given), as the administrator knows the plan's members."""
    payers = book(request).payers
    profile = payers.get(payer_id)
    if profile is None:
        raise NotFound("no such payer", field="payer_id")
    administrator = payers.get(profile.mental_health_administrator[0]) if profile.mental_health_administrator else None

    async def operation() -> MemberOut:
        row = await uow.inbox.enroll(principal.tenant_id, payer_id, _roster_values(body, profile))
        if administrator is not None:
            values = _roster_values(body, administrator)
            await uow.inbox.enroll(principal.tenant_id, administrator.payer_id, values)
        enrolled = MemberOut.model_validate(row, from_attributes=True)
        enrolled.also_enrolled_with = [administrator.payer_id] if administrator else []
        return enrolled

    return await run_command(request, principal=principal, uow=uow, body=body, operation=operation)


def _roster_values(body: MemberIn, profile: PayerProfile) -> dict[str, object]:
    plan = profile.cost_sharing
    return {
        **body.model_dump(exclude={"deductible", "coinsurance", "copay"}),
        "deductible": body.deductible if body.deductible is not None else plan.deductible,
        "coinsurance": body.coinsurance if body.coinsurance is not None else plan.coinsurance,
        "copay": body.copay if body.copay is not None else plan.copay,
        "benefit_year": body.coverage_start.year,
    }


@router.get(
    "/v1/payers/{payer_id}/members/{member_id}",
    openapi_extra=allow(CLEARINGHOUSE_ACCOUNT, CLEARINGHOUSE_OPERATOR),
    response_model=MemberOut,
)
async def member(payer_id: str, member_id: str, principal: CurrentPrincipal, uow: SimulatorWorkDep) -> MemberOut:
    async with uow:
        row = await uow.inbox.member(principal.tenant_id, payer_id, member_id)
    if row is None:
        raise NotFound("member not found")
    return MemberOut.model_validate(row, from_attributes=True)


class CycleOut(BaseModel):
    claims_adjudicated: int
    remittances: int


@router.post("/v1/cycles", openapi_extra=allow(CLEARINGHOUSE_OPERATOR), response_model=CycleOut)
async def run_cycle_now(request: Request, principal: CurrentPrincipal, uow: SimulatorWorkDep) -> JSONResponse:
    """Adjudicate everything accepted so far, for every submitter, now: an operator's action (tests and demos;
    the worker does it on a timer)."""
    principal.require_role("operator")

    async def operation() -> CycleOut:
        state = request.app.state
        summary = await settle.settle(uow, book(request), seed=state.seed, bundle_835s=state.bundle_835s)
        return CycleOut(claims_adjudicated=summary.claims, remittances=summary.remittances)

    return await run_command(request, principal=principal, uow=uow, body=None, operation=operation, status_code=200)
