"""Helpers for patient billing's tests: one tenant with two practices, a visit's share as the projection
announces it, and tokens of the roles that work accounts."""

import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import httpx
from claimstream_devtools.testing import Keys
from claimstream_platform.contracts.projection import PatientShareChanged, ShareReason
from claimstream_platform.webhooks import HEADER, sign
from patient_billing import handlers
from patient_billing.processor import Declined
from patient_billing.repository import PatientBillingWork
from patient_billing.repository.accounts import account_id

TENANT, OTHER_TENANT = uuid4(), uuid4()
PRACTICE, OTHER_PRACTICE = uuid4(), uuid4()


def share(
    encounter: UUID,
    amount: str,
    version: int = 1,
    *,
    served: date = date(2026, 3, 2),
    insurance_open: str = "0",
    reason: str = "2",
    patient: str = "P-1",
) -> PatientShareChanged:
    return PatientShareChanged(
        tenant_id=TENANT,
        practice_id=PRACTICE,
        encounter_id=encounter,
        patient_ref=patient,
        service_date=served,
        version=version,
        share=Decimal(amount),
        charged=Decimal("150"),
        insurance_paid=Decimal("80"),
        adjusted=Decimal("40"),
        written_off=Decimal("0"),
        insurance_open=Decimal(insurance_open),
        reasons=[ShareReason(group="PR", reason=reason, amount=Decimal(amount))] if Decimal(amount) else [],
    )


async def announce(make_uow: Callable[[], PatientBillingWork], *events: PatientShareChanged) -> UUID:
    """Each through the consumer's handler in its own transaction; the account of the first."""
    for event in events:
        async with make_uow() as uow:
            await handlers.on_patient_share_changed(event, uow)
            await uow.commit()
    first = events[0]
    assert first.practice_id is not None and first.patient_ref is not None
    return account_id(first.tenant_id, first.practice_id, first.patient_ref)


def bearer(keys: Keys, *roles: str, tenant: UUID = TENANT, practices: list[UUID] | None = None) -> dict[str, str]:
    token = keys.issuer.issue(tenant_id=tenant, roles=roles, practice_ids=practices, subject=f"user:{roles[0]}")
    return {"Authorization": f"Bearer {token}"}


def secret(name: str) -> Callable[[Path], Path]:
    """A settings value for `service_fixtures`: a secret file made in the test's folder, its bytes `SECRETS[name]`."""

    def made(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(SECRETS[name])
        return path

    return made


SECRETS = {name: f"test-{name}-0123456789abcdef".encode() for name in ("statement-link.key", "processor-api.key")}
SECRETS["processor-webhook.secret"] = b"whsec-test-0123456789abcdef"


HOOK = "/v1/processor/webhooks"


def event(kind: str, obj: dict[str, Any]) -> bytes:
    """A processor's webhook event about `obj`, as its body is sent."""
    return json.dumps({"id": f"evt_{uuid4().hex}", "type": kind, "data": {"object": obj}}).encode()


async def deliver(client: httpx.AsyncClient, body: bytes, signature: str | None = None) -> httpx.Response:
    """The event to the webhook route, signed with the test's secret unless `signature` is given."""
    headers = {HEADER: signature or sign(SECRETS["processor-webhook.secret"], body), "Content-Type": "application/json"}
    return await client.post(HOOK, content=body, headers=headers)


class StandInProcessor:
    """For the loops' service tests: charges every token, refunds up to what it charged and refuses beyond, and
    keeps what it was asked."""

    def __init__(self, charged: Decimal = Decimal(0)) -> None:
        self.left = charged
        self.charged: list[tuple[Decimal, str, str]] = []

    async def charge(self, amount: Decimal, method: str, key: str, metadata: dict[str, str]) -> dict[str, Any]:
        self.charged.append((amount, method, key))
        self.left += amount
        return {"id": f"pi_{key[:12]}", "status": "succeeded", "metadata": metadata}

    async def refund(self, intent_id: str, amount: Decimal, key: str, metadata: dict[str, str]) -> dict[str, Any]:
        if amount > self.left:
            raise Declined("more than the payment")
        self.left -= amount
        return {"id": f"re_{key[:8]}", "status": "succeeded", "metadata": metadata}
