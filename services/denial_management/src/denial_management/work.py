"""What billing staff do with a case, through the work queue: assign, note, ask for a correction, appeal, record
the payer's answer, write off (a filtered set at once: bulk.py). Each call locks the case, makes the
aggregate's move (refused with a 409 when the case's state does not allow it), stores it and publishes."""

from decimal import Decimal
from typing import Literal
from uuid import UUID

from claimstream_platform.auth import Principal
from claimstream_platform.contracts.denial_management import CorrectionChanges, Resolution
from claimstream_platform.errors import NotFound, RuleViolation

from denial_management.domain import Case
from denial_management.handlers import file_appeal, publish_saved
from denial_management.repository import DenialWork

DEFAULT_WRITE_OFF_LIMIT = Decimal("500.00")  # per case, until the tenant admin sets the tenant's own


async def locked(uow: DenialWork, principal: Principal, case_id: UUID) -> Case:
    row = await uow.queue.case_in_scope(principal, case_id)
    case = await uow.cases.lock(principal.tenant_id, case_id) if row is not None else None
    if case is None:
        raise NotFound("denial case not found")
    return case


async def assign(uow: DenialWork, principal: Principal, case_id: UUID, assignee: str) -> None:
    case = await locked(uow, principal, case_id)
    case.assign(assignee, principal.subject)
    await publish_saved(uow, [case])


async def note(uow: DenialWork, principal: Principal, case_id: UUID, text: str) -> None:
    case = await locked(uow, principal, case_id)
    case.note(text, principal.subject)
    await publish_saved(uow, [case])


async def request_correction(
    uow: DenialWork,
    principal: Principal,
    case_id: UUID,
    *,
    changes: CorrectionChanges,
    resubmit_as: Literal["replacement", "new_original"],
    reason: str,
    prior_authorization_number: str | None,
) -> None:
    case = await locked(uow, principal, case_id)
    case.request_correction(
        principal.subject,
        resubmit_as=resubmit_as,
        reason=reason,
        changes=changes,
        prior_authorization_number=prior_authorization_number,
    )
    await publish_saved(uow, [case])


async def appeal(uow: DenialWork, principal: Principal, case_id: UUID, *, reason: str, facts: list[str]) -> None:
    case = await locked(uow, principal, case_id)
    await file_appeal(uow, case, reason=reason, facts=facts, actor=principal.subject)
    await publish_saved(uow, [case])


async def record_outcome(
    uow: DenialWork, principal: Principal, case_id: UUID, resolution: Resolution | Literal["upheld"], recovered: Decimal
) -> None:
    """The payer's answer, as staff record it: `upheld` (the appeal was lost) puts the case back in the work queue;
    a denial is the provider's liability, so it is never billed to the patient (docs/money.md)."""
    if resolution == "billed_to_patient":
        liable = "a denial is the provider's liability: it may not be billed to the patient"
        raise RuleViolation(liable, field="resolution")
    case = await locked(uow, principal, case_id)
    if resolution == "upheld":
        case.reopen("the payer upheld its denial", principal.subject)
    else:
        case.resolve(resolution, principal.subject, recovered=recovered)
    await publish_saved(uow, [case])


async def write_off(uow: DenialWork, principal: Principal, case_id: UUID, reason: str) -> None:
    case = await locked(uow, principal, case_id)
    await within_write_off_limit(uow, principal, [case.opening.amount])
    apply_write_off(case, principal.subject, reason)
    await publish_saved(uow, [case])


def apply_write_off(case: Case, actor: str, reason: str | None) -> None:
    case.note(f"write-off: {reason}", actor)
    case.resolve("written_off", actor, written_off=case.opening.amount)


async def write_off_limit(uow: DenialWork, tenant_id: UUID) -> Decimal:
    return await uow.limits.per_case(tenant_id) or DEFAULT_WRITE_OFF_LIMIT


async def within_write_off_limit(uow: DenialWork, principal: Principal, amounts: list[Decimal]) -> None:
    """Refuse the whole write-off (nothing changes) when one case's amount is over the tenant's per-case limit."""
    limit = await write_off_limit(uow, principal.tenant_id)
    over = [amount for amount in amounts if amount > limit]
    if over:
        detail = f"{len(over)} case(s) over the write-off limit of {limit} a tenant admin set (largest {max(over)})"
        raise RuleViolation(detail, field="amount")
