"""Payment plans at work, in the caller's transaction: made by staff over what the account owes, paid toward by
every payment of the account (desk, link or autopay), completed when paid off, cancelled by a biller."""

from datetime import date
from decimal import Decimal
from uuid import UUID, uuid4

from claimstream_platform.auth import Principal
from claimstream_platform.dates import business_date
from claimstream_platform.errors import Conflict, NotFound, RuleViolation

from patient_billing.accounts import locked, saved
from patient_billing.domain import PatientAccount
from patient_billing.plans import DEFAULT_AFTER_MISSED, Plan, plan_for
from patient_billing.repository import PatientBillingWork

FIRST_DUE_WITHIN_DAYS = 366


async def make_plan(
    uow: PatientBillingWork,
    principal: Principal,
    account_id: UUID,
    first_due: date,
    *,
    per_month: Decimal | None,
    months: int | None,
    autopay: str | None,
) -> Plan:
    if not 0 <= (first_due - business_date()).days <= FIRST_DUE_WITHIN_DAYS:
        raise RuleViolation("the first installment falls between today and a year from today", field="first_due")
    account = await locked(uow, principal, account_id)
    if await uow.plans.active(account.tenant_id, account.id) is not None:
        raise Conflict("the account has a plan already: cancel it first", field="account_id")
    plan = plan_for(uuid4(), account.balance, first_due, per_month=per_month, months=months, autopay=autopay)
    await uow.plans.add(account.tenant_id, account.id, plan, principal.subject)
    account.planned(plan.id, plan.total, plan.per_month, plan.first_due, autopay is not None)
    await saved(uow, account)
    return plan


async def count_toward_plan(uow: PatientBillingWork, account: PatientAccount, amount: Decimal) -> None:
    """A payment of the account goes toward its active plan; the one that pays it off completes it. The caller
    saves the account (with the event this may record)."""
    plan = await uow.plans.active(account.tenant_id, account.id)
    if plan is None:
        return
    plan = await uow.plans.paid_in(plan, amount)
    if plan.left <= 0 or account.balance <= 0:
        await uow.plans.end(plan.id, "completed")
        await uow.online.drop_unsent_autopay(plan.id)
        account.plan_ended(plan.id, "completed", plan.paid)


async def end_plan(uow: PatientBillingWork, account: PatientAccount, plan: Plan, outcome: str) -> None:
    await uow.plans.end(plan.id, outcome)
    await uow.online.drop_unsent_autopay(plan.id)
    account.plan_ended(plan.id, outcome, plan.paid)
    await saved(uow, account)


async def look_at_plan(uow: PatientBillingWork, tenant_id: UUID, account_id: UUID, today: date) -> None:
    """The plan loop's look at one plan: paid off once she owes nothing (insurance reprocessed, a credit applied),
    defaulted after two missed installments, else its autopay installments now due asked for, never more than she
    owes less what she is paying already. The account is locked before the plan, as payments lock them."""
    account = await uow.accounts.lock(tenant_id, account_id)
    plan = await uow.plans.active(tenant_id, account_id)
    if plan is None:
        return
    if account.balance <= 0 or plan.missed(today) >= DEFAULT_AFTER_MISSED:
        await end_plan(uow, account, plan, "completed" if account.balance <= 0 else "defaulted")
        return
    await _remind(uow, account, plan, today)
    due = [i for i in plan.due(today) if i.number > plan.charged_through] if plan.autopay_method else []
    if not due:
        return
    owed = account.balance - await uow.online.pending(tenant_id, account_id)
    amount = min(sum((i.amount for i in due), Decimal(0)), owed)
    if amount > 0:
        await uow.online.request_autopay(tenant_id, account_id, plan.id, uuid4(), amount)
    await uow.plans.charged_through(plan.id, due[-1].number)


async def _remind(uow: PatientBillingWork, account: PatientAccount, plan: Plan, today: date) -> None:
    """Without autopay: the next installment due within days queued for an email, when she gave an address (a
    patient on paper is asked on her statements)."""
    upcoming = plan.to_remind(today)
    contact = await uow.statements.contact(account.id) if upcoming is not None else None
    if upcoming is not None and contact is not None and contact.email:
        await uow.plans.remind(account.tenant_id, plan, upcoming, contact.email)


async def cancel_plan(uow: PatientBillingWork, principal: Principal, account_id: UUID) -> PatientAccount:
    account = await locked(uow, principal, account_id)
    plan = await uow.plans.active(account.tenant_id, account.id)
    if plan is None:
        raise NotFound("no active plan on this account", field="account_id")
    await end_plan(uow, account, plan, "cancelled")
    return account
