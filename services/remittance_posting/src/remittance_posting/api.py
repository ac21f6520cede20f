"""Remittance posting's REST API: upload an 835, read remittances and what each did to a claim (the exceptions
queue is `exceptions_api`, the provider ledger `ledger_api`). Every read is scoped to the tenant and the token's
practices."""

import hashlib
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from claimstream_platform.access import Audit, RateClass, allow
from claimstream_platform.auth import Principal, Role
from claimstream_platform.errors import NotFound, RuleViolation
from claimstream_platform.idempotency import Reply, run_command
from claimstream_platform.paging import EMBEDDED, OrderedPageRequest, OrderedPaging
from claimstream_platform.web import CurrentPrincipal, get_unit_of_work
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import AfterValidator, BaseModel, ConfigDict
from starlette.datastructures import UploadFile

from remittance_posting import handlers
from remittance_posting.era import MAX_FILE_BYTES
from remittance_posting.repository import PostingWork

router = APIRouter()
# What a route is given: remittance posting's own unit of work, its repositories as attributes (`uow.reads`).
PostingWorkDep = Annotated[PostingWork, Depends(get_unit_of_work)]
UPLOAD_BODY_BYTES = 6 * 1024 * 1024  # an 835 of MAX_FILE_BYTES, and a form's envelope around it
X12_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/edi-x12": {"schema": {"type": "string"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                },
            },
        },
    }
}


class RemittanceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    practice_id: UUID | None
    payer_id: str
    payer_name: str
    trace_number: str
    payee_npi: str
    total: Decimal
    method: str
    paid_on: date | None
    status: str  # posted | held (out of balance) | duplicate
    imbalances: list[dict[str, Any]]
    claims: int
    created_at: datetime


CENT = Decimal("0.01")
Money = Annotated[Decimal, AfterValidator(lambda value: value.quantize(CENT))]  # as the 835 said it, to the cent


class AdjustmentOut(BaseModel):
    group: str  # CO, PR, OA, PI
    reason: str  # CARC
    amount: Money  # positive reduces the payment
    adjustment_class: str | None = None  # what it means (docs/money.md); None while the payment is unmatched


class LineOut(BaseModel):
    line_number: int | None  # the claim's line it was matched to
    code: str
    billed_code: str | None = None
    modifiers: list[str]
    charge: Money
    paid: Money
    allowed: Money | None = None
    units_paid: Decimal | None = None
    adjustments: list[AdjustmentOut]
    remarks: list[str]  # RARCs


class ClaimPaymentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    remittance_id: UUID
    claim_id: UUID | None
    patient_control_number: str
    payer_claim_number: str | None
    claim_status: str
    outcome: str
    charge: Decimal
    paid: Decimal
    allowed: Decimal | None
    patient_responsibility: Decimal
    state: str  # posted | unmatched | reversed
    reason: str | None
    matched_by: str | None
    created_at: datetime
    adjustments: list[AdjustmentOut]  # the claim's and its lines' together, as posted
    lines: list[LineOut]  # why each line was paid short or denied
    remarks: list[str]  # the claim's RARCs (MOA)

    @classmethod
    def of(cls, row: Any) -> "ClaimPaymentOut":
        """A stored claim payment with its posting: as announced (each adjustment classified), or for an unmatched
        one as the 835 said it."""
        shown = row.posting or _as_read(row.detail)
        return cls.model_validate({**row._mapping, **{k: shown[k] for k in ("adjustments", "lines", "remarks")}})


def _as_read(detail: dict[str, Any]) -> dict[str, Any]:
    lines = [{**line, "line_number": None} for line in detail["lines"]]
    every = [*detail["adjustments"], *(a for line in detail["lines"] for a in line["adjustments"])]
    return {"adjustments": every, "lines": lines, "remarks": detail["remarks"]}


class RemittanceDetail(RemittanceOut):
    # The first page of its claim payments (at most 50, as they were posted) and the `cursor` of the next page of
    # `GET /v1/remittances/{id}/payments` (None when that was all): an 835 can pay thousands of claims.
    payments: list[ClaimPaymentOut]
    payments_next_cursor: str | None


class FileReceiptOut(BaseModel):
    file_id: UUID
    duplicate: bool
    remittances: list[RemittanceOut]


class Page(BaseModel):
    items: list[RemittanceOut]
    next_cursor: UUID | None


class PaymentPage(BaseModel):
    items: list[ClaimPaymentOut]
    next_cursor: str | None  # the `cursor` of the next page; None on the last


class UploadedFile(BaseModel):
    sha256: str


@router.post(
    "/v1/remittances",
    openapi_extra=allow(Role.BILLER, audit=Audit.MONEY, rate=RateClass.UPLOAD, max_body_bytes=UPLOAD_BODY_BYTES)
    | X12_BODY,
    response_model=FileReceiptOut,
    status_code=201,
    responses={200: {"model": FileReceiptOut, "description": "The same file (or payer trace) came before."}},
)
async def upload(request: Request, principal: CurrentPrincipal, uow: PostingWorkDep) -> JSONResponse:
    """A raw 835 (another clearinghouse's, or paper keyed to EDI) as the body, or as the `file` of a form
    upload. 201 when new; 200 with what was stored when the same file, or the same payer trace, came before
    (nothing is posted twice). A token limited to practices posts only to their claims: another practice's claim
    payment waits in the exceptions queue as an unknown claim's would (its claim's existence is not revealed), for a
    user of that practice to assign."""
    raw, field = await _uploaded(request)
    if len(raw) > MAX_FILE_BYTES:
        raise RuleViolation(f"an 835 is at most {MAX_FILE_BYTES} bytes", field=field)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise RuleViolation(f"byte {error.start} is not text", field=field) from None

    async def operation() -> Reply:
        receipt = await handlers.receive(
            uow, text, source="upload", tenant_id=principal.tenant_id, practice_ids=principal.practice_ids
        )
        rows = [await uow.posting.remittance_of(rid) for rid in receipt.remittance_ids]
        body = FileReceiptOut(
            file_id=receipt.file_id,
            duplicate=receipt.duplicate,
            remittances=[RemittanceOut.model_validate(row) for row in rows],
        )
        return Reply(body, 200 if receipt.duplicate else 201)

    # An Idempotency-Key is bound to the file's bytes (the body is not JSON): the same key with another file is refused.
    uploaded = UploadedFile(sha256=hashlib.sha256(raw).hexdigest())
    return await run_command(request, principal=principal, uow=uow, body=uploaded, operation=operation)


async def _uploaded(request: Request) -> tuple[bytes, str]:
    """The file's bytes and the field they came in: the body itself, or a form's one `file`."""
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        return await request.body(), "body"
    form = await request.form(max_files=1, max_fields=5)
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise RuleViolation("a form upload carries the 835 as its `file` part", field="file")
    return await upload.read(MAX_FILE_BYTES + 1), "file"


@router.get("/v1/remittances", openapi_extra=allow(Role.BILLER, Role.READ_ONLY, audit=Audit.PHI), response_model=Page)
async def list_remittances(
    principal: CurrentPrincipal,
    uow: PostingWorkDep,
    practice_id: UUID | None = None,
    payer_id: str | None = None,
    received_from: datetime | None = None,
    received_to: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: UUID | None = None,
) -> Page:
    async with uow:
        rows, next_cursor = await uow.reads.remittances_page(
            principal,
            practice_id=practice_id,
            payer_id=payer_id,
            received_from=received_from,
            received_to=received_to,
            limit=limit,
            cursor=cursor,
        )
    return Page(items=[RemittanceOut.model_validate(row) for row in rows], next_cursor=next_cursor)


@router.get(
    "/v1/remittances/{remittance_id}",
    openapi_extra=allow(Role.BILLER, audit=Audit.PHI),
    response_model=RemittanceDetail,
)
async def get_remittance(remittance_id: UUID, principal: CurrentPrincipal, uow: PostingWorkDep) -> RemittanceDetail:
    """The remittance with the first page of its claim payments (`payments_next_cursor` pages on)."""
    async with uow:
        row = await _remittance(uow, principal, remittance_id)
        payments, more = await uow.reads.payments_of(principal, remittance_id, OrderedPageRequest(EMBEDDED, None))
    return RemittanceDetail(
        **RemittanceOut.model_validate(row).model_dump(),
        payments=[ClaimPaymentOut.of(p) for p in payments],
        payments_next_cursor=more,
    )


@router.get(
    "/v1/remittances/{remittance_id}/payments",
    openapi_extra=allow(Role.BILLER, audit=Audit.PHI),
    response_model=PaymentPage,
)
async def remittance_payments(
    remittance_id: UUID, principal: CurrentPrincipal, uow: PostingWorkDep, page: OrderedPaging
) -> PaymentPage:
    """The remittance's claim payments as they were posted, a page at a time."""
    async with uow:
        await _remittance(uow, principal, remittance_id)
        payments, next_cursor = await uow.reads.payments_of(principal, remittance_id, page)
    return PaymentPage(items=[ClaimPaymentOut.of(p) for p in payments], next_cursor=next_cursor)


async def _remittance(uow: PostingWork, principal: Principal, remittance_id: UUID) -> Any:
    row = await uow.reads.remittance_in_scope(principal, remittance_id)
    if row is None:
        raise NotFound("remittance not found")
    return row


@router.get(
    "/v1/claims/{claim_id}/postings",
    openapi_extra=allow(Role.BILLER, Role.READ_ONLY, audit=Audit.PHI),
    response_model=PaymentPage,
)
async def claim_postings(
    claim_id: UUID, principal: CurrentPrincipal, uow: PostingWorkDep, page: OrderedPaging
) -> PaymentPage:
    """What each ERA did to one claim, oldest first, a page at a time (a reversal shows as its own posting, the one
    it took back as `reversed`)."""
    async with uow:
        rows, next_cursor = await uow.reads.postings_of(principal, claim_id, page)
    return PaymentPage(items=[ClaimPaymentOut.of(row) for row in rows], next_cursor=next_cursor)
