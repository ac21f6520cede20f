"""The routes outsiders reach with a credential of their own (`public` to the platform, checked here): the patient
paying through her statement's link (its signed token in the `Statement-Link` header, good for that statement
alone), and the payment processor's webhooks (signed: `claimstream_platform.webhooks`). Each works as the tenant
whose statement or payment it names, found by id across tenants and nothing more."""

import json
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from claimstream_platform.access import RateClass, public
from claimstream_platform.context import Tenancy
from claimstream_platform.errors import NotFound, RuleViolation, Unauthenticated
from claimstream_platform.web import get_platform
from claimstream_platform.webhooks import HEADER, BadSignature, verify
from fastapi import APIRouter, Header, Request
from pydantic import BaseModel, ConfigDict, Field

from patient_billing.api import Money, WorkDep
from patient_billing.card_payments import on_processor_event, pay_by_link
from patient_billing.links import BadLink
from patient_billing.processor import Declined
from patient_billing.repository import PatientBillingWork

router = APIRouter(tags=["statement link and processor"])
LINK = public(
    "a patient with her statement's signed link (Statement-Link header), checked by the route", rate=RateClass.WRITE
)
WEBHOOK = public(
    "the payment processor's webhooks, signed (Processor-Signature), checked by the route", rate=RateClass.WRITE
)
LinkHeader = Annotated[str | None, Header(alias="Statement-Link")]


class LinkOut(BaseModel):
    statement_id: UUID
    issued_on: str
    due_on: str
    amount_due: Decimal  # what the statement asked
    owed_now: Decimal  # what the account owes today: the most she may pay here


class LinkPaymentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: Money
    payment_method: Annotated[str, Field(pattern=r"^pm_[A-Za-z0-9_]{1,60}$")]  # the processor's card token


class LinkPaymentOut(BaseModel):
    payment_id: UUID
    status: str  # the processor's: succeeded (posted when its webhook arrives) or requires_payment_method


def as_tenant(request: Request, tenant_id: UUID) -> PatientBillingWork:
    platform = get_platform(request)
    return PatientBillingWork(platform.sessionmaker, Tenancy.of(tenant_id), across_tenants=platform.across_tenants)


async def _statement(request: Request, uow: PatientBillingWork, token: str | None) -> Any:
    try:
        statement_id = request.app.state.links.statement_of(token)
    except BadLink:
        raise Unauthenticated("the statement link is not valid or has expired") from None
    async with uow.across_tenants() as across:
        found = await across.statements.of_link(statement_id)
    if found is None:
        raise NotFound("statement not found", field="Statement-Link")
    return found


@router.get("/v1/statement-link", openapi_extra=LINK, response_model=LinkOut)
async def what_the_link_asks(request: Request, uow: WorkDep, statement_link: LinkHeader = None) -> LinkOut:
    statement = await _statement(request, uow, statement_link)
    async with as_tenant(request, statement.tenant_id) as mine:
        account = await mine.accounts.read(statement.tenant_id, statement.account_id)
    if account is None:
        raise NotFound("statement not found", field="Statement-Link")
    return LinkOut(
        statement_id=statement.id,
        issued_on=str(statement.issued_on),
        due_on=str(statement.due_on),
        amount_due=statement.amount_due,
        owed_now=account.balance,
    )


@router.post("/v1/statement-link/payments", openapi_extra=LINK, response_model=LinkPaymentOut, status_code=202)
async def pay(
    body: LinkPaymentIn,
    request: Request,
    uow: WorkDep,
    idempotency_key: Annotated[str, Header(min_length=8, max_length=200)],
    statement_link: LinkHeader = None,
) -> LinkPaymentOut:
    """Her card token charged through the processor; the payment is posted when its signed webhook says so. The
    Idempotency-Key is required: a payment page retried after a timeout must not charge her twice."""
    statement = await _statement(request, uow, statement_link)
    try:
        made = await pay_by_link(
            lambda: as_tenant(request, statement.tenant_id),
            request.app.state.processor,
            statement,
            body.amount,
            body.payment_method,
            idempotency_key,
        )
    except Declined as refused:
        raise RuleViolation(str(refused), field="payment_method") from None
    return LinkPaymentOut(**made)


@router.post("/v1/processor/webhooks", openapi_extra=WEBHOOK)
async def processor_webhook(
    request: Request, signature: Annotated[str | None, Header(alias=HEADER)] = None
) -> dict[str, str]:
    body = await request.body()
    try:
        verify(request.app.state.webhook_secret, body, signature)
    except BadSignature as bad:
        raise Unauthenticated(f"webhook signature refused: {bad}") from None
    try:
        event = json.loads(body)
        kind, obj = str(event["type"]), dict(event["data"]["object"])
        tenant = UUID(str((obj.get("metadata") or {})["tenant_id"]))
    except (ValueError, KeyError, TypeError):
        return {"result": "ignored"}  # the processor's, but not an event about money of ours
    async with as_tenant(request, tenant) as uow:
        try:
            result = await on_processor_event(uow, kind, obj)
        except (ValueError, KeyError, TypeError):
            return {"result": "ignored"}
        await uow.commit()
    return {"result": result}
