"""The payment processor of the outside world, in the shape of a widely used provider's API: tokenized cards
(`pm_card_visa` succeeds, `pm_card_chargeDeclined` is declined; no card number ever reaches claimstream), payment
intents confirmed at once, refunds, an Idempotency-Key per create, and every outcome sent as a signed webhook event
(claimstream_platform.webhooks) to the endpoint configured, retried until it answers 2xx. Its caller authenticates
with the processor's secret key (`Authorization: Bearer <key>`), not with claimstream's tokens; the simulator keeps
its intents in memory (a simulator restarted forgets them, as a test stack's is)."""

import asyncio
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

import httpx
from claimstream_platform.access import public
from claimstream_platform.webhooks import HEADER, sign
from fastapi import APIRouter, Header, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field

router = APIRouter(prefix="/processor/v1", tags=["payment processor"])
DECLINED = frozenset({"pm_card_chargeDeclined", "pm_card_insufficientFunds"})
KEY = public("the payment processor's API: the caller's secret key is checked by the route")


@dataclass
class Processor:
    api_key: str
    webhook_url: str | None
    webhook_secret: bytes
    objects: dict[str, dict[str, Any]] = field(default_factory=dict)  # intents and refunds by id
    answered: dict[str, dict[str, Any]] = field(default_factory=dict)  # by Idempotency-Key
    events: dict[str, bytes] = field(default_factory=dict)  # every event sent, by id, as sent
    deliveries: set[asyncio.Task[None]] = field(default_factory=set)

    def emit(self, kind: str, obj: dict[str, Any]) -> None:
        event_id = _id("evt")
        event = {"id": event_id, "type": kind, "created": int(time.time()), "data": {"object": obj}}
        self.events[event_id] = json.dumps(event).encode()
        self.send(event_id)

    def send(self, event_id: str) -> None:
        if self.webhook_url is not None:
            task = asyncio.create_task(self._deliver(self.events[event_id]))
            self.deliveries.add(task)
            task.add_done_callback(self.deliveries.discard)

    async def _deliver(self, body: bytes) -> None:
        async with httpx.AsyncClient(timeout=10) as client:
            for wait in (0.5, 1, 2, 4, 8, 16, 30):
                headers = {HEADER: sign(self.webhook_secret, body), "Content-Type": "application/json"}
                try:
                    if (await client.post(str(self.webhook_url), content=body, headers=headers)).is_success:
                        return
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(wait)


class IntentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: Annotated[int, Field(gt=0, le=10_000_000)]  # cents
    currency: str = "usd"
    payment_method: Annotated[str, Field(pattern=r"^pm_[A-Za-z0-9_]{1,60}$")]
    confirm: bool = True
    metadata: dict[str, str] = {}


class RefundIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    payment_intent: str
    amount: Annotated[int, Field(gt=0)]
    metadata: dict[str, str] = {}


def _processor(request: Request, authorization: str | None) -> Processor:
    processor: Processor | None = getattr(request.app.state, "processor", None)
    if processor is None or not secrets.compare_digest(authorization or "", f"Bearer {processor.api_key}"):
        raise HTTPException(401, "invalid API key")
    return processor


@router.post("/payment_intents", openapi_extra=KEY)
async def create_intent(
    body: IntentIn,
    request: Request,
    authorization: Annotated[str | None, Header()] = None,
    idempotency_key: Annotated[str | None, Header()] = None,
) -> dict[str, Any]:
    processor = _processor(request, authorization)
    return _once(processor, idempotency_key, lambda: _intent(processor, body))


def _intent(processor: Processor, body: IntentIn) -> dict[str, Any]:
    declined = body.payment_method in DECLINED
    intent: dict[str, Any] = {
        "id": _id("pi"),
        "object": "payment_intent",
        "amount": body.amount,
        "amount_received": 0 if declined else body.amount,
        "currency": body.currency,
        "status": "requires_payment_method" if declined else "succeeded",
        "metadata": body.metadata,
        "last_payment_error": {"code": "card_declined"} if declined else None,
    }
    processor.emit("payment_intent.payment_failed" if declined else "payment_intent.succeeded", intent)
    return intent


@router.post("/refunds", openapi_extra=KEY)
async def create_refund(
    body: RefundIn,
    request: Request,
    authorization: Annotated[str | None, Header()] = None,
    idempotency_key: Annotated[str | None, Header()] = None,
) -> dict[str, Any]:
    processor = _processor(request, authorization)
    return _once(processor, idempotency_key, lambda: _refund(processor, body))


def _refund(processor: Processor, body: RefundIn) -> dict[str, Any]:
    intent = processor.objects.get(body.payment_intent)
    if intent is None or intent["status"] != "succeeded" or body.amount > intent["amount_received"]:
        raise HTTPException(400, "no succeeded payment intent of at least that amount")
    intent["amount_received"] -= body.amount
    refund: dict[str, Any] = {"id": _id("re"), "object": "refund", "amount": body.amount}
    refund |= {"payment_intent": intent["id"], "status": "succeeded", "metadata": body.metadata}
    processor.emit("refund.created", refund)
    return refund


def _once(processor: Processor, key: str | None, make: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """A create answered once per Idempotency-Key: asked again, the first answer, and nothing made twice."""
    if key and key in processor.answered:
        return processor.answered[key]
    made = make()
    processor.objects[made["id"]] = made
    processor.answered[key or made["id"]] = made
    return made


@router.post("/events/{event_id}/resend", openapi_extra=KEY)
async def resend(event_id: str, request: Request, authorization: Annotated[str | None, Header()] = None) -> None:
    """The same event delivered again, byte for byte (processors deliver at least once; a receiver must not care)."""
    processor = _processor(request, authorization)
    if event_id not in processor.events:
        raise HTTPException(404, "no such event")
    processor.send(event_id)


@router.get("/events", openapi_extra=KEY)
async def events(request: Request, authorization: Annotated[str | None, Header()] = None) -> list[dict[str, Any]]:
    """Every event sent, newest first (the processor's dashboard)."""
    processor = _processor(request, authorization)
    return [json.loads(body) for body in reversed(processor.events.values())]


def _id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(12)}"
