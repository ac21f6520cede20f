"""The payment processor's adapter (IO edge): payment intents and refunds in a widely used provider's API shape,
authenticated with the processor's secret key, each create sent with an Idempotency-Key so a retry never charges
or refunds twice. Amounts go in cents. Card numbers never pass here: the patient's browser gives the processor her
card and us a token (`pm_...`)."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx
from claimstream_platform.errors import TransientError


class Declined(Exception):
    """The processor refused the request for good (a bad token, a refund larger than the payment)."""


@dataclass(frozen=True)
class ProcessorClient:
    base_url: str
    api_key: str
    timeout: float = 10.0

    async def charge(self, amount: Decimal, payment_method: str, key: str, metadata: dict[str, str]) -> dict[str, Any]:
        body = {"amount": cents(amount), "currency": "usd", "payment_method": payment_method, "confirm": True}
        return await self._post("/processor/v1/payment_intents", body | {"metadata": metadata}, key)

    async def refund(self, intent_id: str, amount: Decimal, key: str, metadata: dict[str, str]) -> dict[str, Any]:
        body = {"payment_intent": intent_id, "amount": cents(amount), "metadata": metadata}
        return await self._post("/processor/v1/refunds", body, key)

    async def _post(self, path: str, body: dict[str, Any], key: str) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self.api_key}", "Idempotency-Key": key}
        try:
            async with httpx.AsyncClient(base_url=self.base_url, timeout=self.timeout) as client:
                answer = await client.post(path, json=body, headers=headers)
        except httpx.HTTPError as error:
            raise TransientError("the payment processor did not answer", retry_after=5) from error
        if answer.status_code >= 500 or answer.status_code == 429:
            raise TransientError("the payment processor is unavailable", retry_after=5)
        if answer.is_error:
            raise Declined(f"the payment processor refused: {answer.status_code}")
        found: dict[str, Any] = answer.json()
        return found


def cents(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())
