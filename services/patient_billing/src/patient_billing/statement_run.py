"""A practice's statement run, in the caller's transaction (the loop's on the practice's cycle day, or a biller's
at any time): every account of the practice locked in turn, and each given its statement, skipped with the reason
(one statement an account per cycle, however many runs), or sent to the practice's list when its final notice went
unanswered (statements.py)."""

from collections import Counter
from collections.abc import Callable
from datetime import date
from typing import Any
from uuid import UUID, uuid4

from patient_billing.accounts import saved
from patient_billing.commands import Issued
from patient_billing.domain import PatientAccount
from patient_billing.repository import PatientBillingWork
from patient_billing.statement_document import Addressed, lines
from patient_billing.statements import StatementPolicy, compose, decision_due, skipped

PayAt = Callable[[UUID], str]  # where a statement is paid online: its own signed link


async def run_statements(
    uow: PatientBillingWork, tenant_id: UUID, practice_id: UUID, today: date, pay_at: PayAt
) -> Counter[str]:
    """What became of each account: issued, referred, or why it was skipped (one stated in this cycle already, by
    an earlier run, gets nothing again)."""
    policy = await uow.statements.policy(tenant_id, practice_id)
    outcomes: Counter[str] = Counter()
    for account_id in await uow.accounts.of_practice(tenant_id, practice_id):
        account = await uow.accounts.lock(tenant_id, account_id)
        contact = await uow.statements.contact(account.id)
        outcomes[await _statement(uow, account, contact, policy, today, pay_at)] += 1
        await saved(uow, account)
    return outcomes


async def _statement(
    uow: PatientBillingWork, account: PatientAccount, contact: Any, policy: StatementPolicy, today: date, pay_at: PayAt
) -> str:
    on_hold, plan = bool(contact and contact.on_hold), await uow.plans.active(account.tenant_id, account.id)
    if decision_due(account, today, on_hold=on_hold, plan=plan):
        account.refer_for_decision(today)
        return "referred"
    reason = skipped(account, policy, today, on_hold=on_hold)
    if reason is not None:
        return reason
    statement, statement_id = compose(account, policy, today, plan), uuid4()
    by_email = contact is not None and contact.email and contact.statements_by == "email"
    delivery = "email" if by_email else "print"
    document = {"lines": lines(statement, _addressed(account, contact, pay_at(statement_id)))}
    issued = Issued(
        issued_on=statement.issued_on,
        due_on=statement.due_on,
        amount_due=statement.amount_due,
        stage=statement.stage,
        delivery=delivery,
        encounter_ids=tuple(visit.encounter_id for visit in statement.visits),
    )
    row = {k: v for k, v in vars(issued).items() if k != "encounter_ids"} | {"document": document}
    await uow.statements.add(statement_id, account, row)
    account.stated(statement_id, issued)
    return "issued"


def _addressed(account: PatientAccount, contact: Any, pay_at: str) -> Addressed:
    address = (contact.address if contact else None) or {}
    street = [address.get("line1"), address.get("line2")]
    city = f"{address.get('city', '')}, {address.get('state', '')} {address.get('postal_code', '')}".strip(", ")
    name = contact.name if contact and contact.name else f"Patient {account.patient_ref}"
    return Addressed(name=name, address=tuple(part for part in (*street, city) if part), pay_at=pay_at)
