"""Enrollment and credentialing commands, in the caller's transaction: each record kept (one per natural key,
changed in place) and announced as it stands now, so that claim submission holds and releases claims by it; a
payer remittance posting found silent, kept beside the ERA enrollments that explain it."""

from datetime import date
from typing import Any
from uuid import UUID

from claimstream_platform.auth import Principal
from claimstream_platform.contracts import billing_office as events
from claimstream_platform.contracts.remittance_posting import PayerSilent
from claimstream_platform.errors import NotFound

from billing_office.enrollment import EnrollmentTerms, check_enrollment, check_span
from billing_office.repository import BillingOfficeWork

ANNOUNCED = ("payer_id", "npi", "tax_id", "transaction", "status", "effective_from", "clearinghouse")


async def put_enrollment(uow: BillingOfficeWork, principal: Principal, practice_id: UUID, body: dict[str, Any]) -> Any:
    check_enrollment(EnrollmentTerms(body["status"], body.get("requested_effective"), body.get("effective_from")))
    owner = {"tenant_id": principal.tenant_id, "practice_id": practice_id}
    row = await uow.enrollment.put(owner | body | {"recorded_by": principal.subject})
    announced = {name: getattr(row, name) for name in ANNOUNCED}
    uow.publish(events.EnrollmentChanged(**owner, enrollment_id=row.id, **announced))
    return row


async def add_task(uow: BillingOfficeWork, principal: Principal, enrollment_id: UUID, title: str, due: date) -> Any:
    enrollment = await uow.enrollment.find(principal, enrollment_id)
    if enrollment is None:
        raise NotFound("enrollment not found", field="enrollment_id")
    return await uow.enrollment.add_task(enrollment, title, due)


async def task_done(uow: BillingOfficeWork, principal: Principal, task_id: UUID, on: date) -> Any:
    task = await uow.enrollment.task_done(principal, task_id, on)
    if task is None:
        raise NotFound("task not found", field="task_id")
    return task


async def put_credential(uow: BillingOfficeWork, principal: Principal, practice_id: UUID, body: dict[str, Any]) -> Any:
    check_span(body["status"], body.get("effective_from"), body.get("effective_to"))
    owner = {"tenant_id": principal.tenant_id, "practice_id": practice_id}
    row = await uow.enrollment.put_credential(owner | body | {"recorded_by": principal.subject})
    span = {
        name: getattr(row, name) for name in ("npi", "payer_id", "state", "status", "effective_from", "effective_to")
    }
    uow.publish(events.CredentialChanged(**owner, credential_id=row.id, **span))
    return row


async def set_checks(
    uow: BillingOfficeWork, principal: Principal, practice_id: UUID, payer_id: str, checks: dict[str, bool]
) -> None:
    owner = {"tenant_id": principal.tenant_id, "practice_id": practice_id}
    await uow.enrollment.set_checks(owner | {"payer_id": payer_id, **checks, "recorded_by": principal.subject})
    uow.publish(events.PayerChecksSet(**owner, payer_id=payer_id, **checks))


async def on_payer_silent(event: PayerSilent, uow: BillingOfficeWork) -> None:
    row: dict[str, Any] = {"tenant_id": event.tenant_id, "practice_id": event.practice_id}
    row |= {"payer_id": event.payer_id[:80], "claims_waiting": event.claims_waiting}
    row |= {"oldest_accepted_on": event.oldest_accepted_on, "last_payment_on": event.last_payment_on}
    await uow.enrollment.payer_silent(row)
