"""A practice's overrides of our payer facts, on real PostgreSQL: what prior authorization asks for that practice's
patients follows them, another practice's patients keep our facts, and an empty override withdraws them."""

from collections.abc import Callable
from datetime import date
from uuid import UUID

from claimstream_platform.contracts.charge_capture import FactValue, PayerFactsOverridden
from prior_authorization import charges, handlers
from prior_authorization.consumers import SUBSCRIPTIONS
from prior_authorization.repository import PriorAuthorizationWork
from prior_authorization_testkit import OTHER_PRACTICE, PRACTICE, TENANT, captured
from test_burn_down import handle
from test_requests import outbox

SESSION = (("90834", 1),)  # a 45-minute session: SIMMCD wants an authorization for it only after 30 visits a year


def overridden(practice: UUID, facts: dict[str, FactValue]) -> PayerFactsOverridden:
    return PayerFactsOverridden(
        tenant_id=TENANT, practice_id=practice, payer_id="SIMMCD", effective_from=date(2026, 1, 1), facts=facts
    )


async def required(make_uow: Callable[[], PriorAuthorizationWork]) -> list[tuple[str, list[str]]]:
    return [(e["practice_id"], e["codes"]) for kind, e in await outbox(make_uow) if kind == "required"]


async def test_an_override_changes_what_is_asked_for_its_practice_only_until_withdrawn(
    make_uow: Callable[[], PriorAuthorizationWork],
) -> None:
    assert SUBSCRIPTIONS[PayerFactsOverridden] is handlers.on_payer_facts_overridden
    always = ["96130", "96131", "90834"]  # this practice knows the plan wants every session authorized
    await handle(make_uow, handlers.on_payer_facts_overridden, overridden(PRACTICE, {"authorization_always": always}))
    await handle(make_uow, charges.on_charge_captured, captured(SESSION))
    await handle(make_uow, charges.on_charge_captured, captured(SESSION, practice=OTHER_PRACTICE))
    assert await required(make_uow) == [(str(PRACTICE), ["90834"])]  # the other practice: our facts, none needed

    await handle(make_uow, handlers.on_payer_facts_overridden, overridden(PRACTICE, {}))  # withdrawn
    await handle(make_uow, charges.on_charge_captured, captured(SESSION, day=date(2026, 12, 11)))
    assert await required(make_uow) == [(str(PRACTICE), ["90834"])]  # nothing more asked
