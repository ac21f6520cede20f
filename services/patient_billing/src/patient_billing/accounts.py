"""The account as every command and event handler takes and leaves it: found within the caller's tenant and
practices and locked until the transaction ends, then stored with the events it recorded staged for the outbox."""

from uuid import UUID

from claimstream_platform.auth import Principal
from claimstream_platform.errors import NotFound

from patient_billing.domain import PatientAccount
from patient_billing.repository import PatientBillingWork


async def locked(uow: PatientBillingWork, principal: Principal, account_id: UUID) -> PatientAccount:
    account = await uow.accounts.find(principal, account_id, lock=True)
    if account is None:
        raise NotFound("patient account not found", field="account_id")
    return account


async def saved(uow: PatientBillingWork, account: PatientAccount) -> None:
    await uow.accounts.save(account)
    uow.publish_recorded(account)
