"""Authorizations requested, decided and burned down. A 278 is asked in three phases, so that no call to the
clearinghouse holds a database connection or transaction, and a retry never sends a second 278 for the same
question:

1. `intend` (or, for a stored open request, `write_inquiry`): the request is stored with its 278 exactly as it
   will be sent (its own ISA13 from the sequence, its trace the authorization's id) and when it went out; committed.
2. The 278 sent (`Clearinghouse.ask`, bounded in time), outside any transaction.
3. `record`: the decision and its events, in one transaction, unless another attempt recorded it first.

Whoever asks again (a retry of the same Idempotency-Key, the open-requests loop after a crash or an outage) sends
the stored 278 byte for byte. The clearinghouse knows it (the same content carries the same Idempotency-Key,
`claimstream_platform.realtime`) and answers it once: the payer sees one request, and what comes back is the
decision it made. A pended request is asked again later with a new 278 (a new question, after the payer's
answer). From the API the decision comes back with the request (the phases are `run_inquiry`'s); or the request is
entered by hand. A pended request, and a concurrent review the burn-down made due, are asked by the loop
(follow_loop.py). Each captured charge uses units or visits of the authorization that covers it (a visit that
needs one none covers is announced: AuthorizationRequired); a voided charge gives them back."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from uuid import UUID

from claimstream_platform.contracts import IntegrationEvent
from claimstream_platform.contracts.charge_capture import ChargeVoided, PayerFactsOverridden
from claimstream_platform.x12 import X12Error
from claimstream_platform.x12.review_model import ReviewDecision

from prior_authorization.domain import Authorization
from prior_authorization.repository import PriorAuthorizationWork
from prior_authorization.review import decision_for, interchange_278
from prior_authorization.rules import Rule, rule_for, shipped
from prior_authorization.visit_counts import count_key

LEASE = timedelta(minutes=1)  # longer than one call to the clearinghouse may take: the loop asks no request in flight


class Clearinghouse(Protocol):
    async def ask(self, interchange: str) -> list[str]:
        """The documents answering the interchange; the same interchange sent again gets the same answer, once."""
        ...


@dataclass(frozen=True)
class Sender:
    """Who our 278s come from and go to (ISA06/ISA08), and ISA15."""

    sender_id: str
    receiver_id: str
    usage: str = "P"


def rule_of(payer_id: str, day: date) -> Rule:
    """The payer's rule as we know it (what a practice overrides does not change when an authorization ends). By
    payer id alone: an authorization does not keep its payer's kind, and only the service's `warn_days` is read."""
    return rule_for(shipped(), payer_id, day)


def publish(uow: PriorAuthorizationWork, authorization: Authorization) -> list[IntegrationEvent]:
    """Publish what the authorization recorded; the events, for a caller that acts on one of them."""
    return uow.publish_recorded(authorization)


async def intend(uow: PriorAuthorizationWork, sender: Sender, authorization: Authorization) -> str:
    """A new request stored with its 278, as it will be sent (the first phase)."""
    await uow.authorizations.insert(authorization)
    return await write_inquiry(uow, sender, authorization)


async def write_inquiry(uow: PriorAuthorizationWork, sender: Sender, authorization: Authorization) -> str:
    """An open request's 278, written with the next ISA13 and stored with it as it goes out now."""
    control = await uow.authorizations.next_control()
    text = interchange_278(
        authorization,
        sender_id=sender.sender_id,
        receiver_id=sender.receiver_id,
        control=control,
        now=datetime.now(UTC),
        usage=sender.usage,
    )
    await uow.authorizations.asking(authorization.id, text)
    return text


async def record(
    uow: PriorAuthorizationWork, authorization_id: UUID, inquiry: str, documents: list[str] | None
) -> Authorization | None:
    """The decision answering `inquiry` and its events recorded (the last phase), unless `documents` is None (nothing
    was asked) or the request no longer waits for that 278 (another attempt recorded its decision, which stands): the
    authorization as it stands; None when there is no such request."""
    found = await uow.authorizations.question(authorization_id)
    if found is None:
        return None
    authorization, standing = found
    if documents is None or standing != inquiry:
        return authorization
    try:
        decision = decision_for(authorization, documents)
    except (X12Error, ValueError):  # the payer's answer cannot be read (or never came): asked again later
        decision = ReviewDecision(authorization.trace, "A4", reason="278")
    authorization.decided(decision)
    publish(uow, authorization)
    await uow.authorizations.answered(authorization)
    return authorization


async def enter(uow: PriorAuthorizationWork, authorization: Authorization, number: str, approved: int) -> Authorization:
    """An authorization obtained by phone or portal, as entered."""
    authorization.entered(number, approved)
    publish(uow, authorization)
    await uow.authorizations.insert(authorization)
    return authorization


async def renew(uow: PriorAuthorizationWork, authorization: Authorization, visits: int, start: date) -> Authorization:
    """A renewal or extension of an approved authorization: a new request (REF*BB its number), asked by the loop.
    One at a time: while one waits for the payer, asking again (another person or Idempotency-Key, a review point)
    gets that one. Under the patient's lock with the payer (`uow.visits.hold_counts`, which a charge's review point
    takes too): two asked at once would each miss the other's, and the payer would get two 278s."""
    a = authorization
    await uow.visits.hold_counts([count_key(a.tenant_id, a.practice_id, a.patient.external_id, a.payer_id)])
    waiting = await uow.authorizations.open_renewal(authorization)
    if waiting is not None:
        return waiting
    following = authorization.renewal(start, visits)
    await uow.authorizations.insert(following)
    return following


async def on_charge_voided(event: ChargeVoided, uow: PriorAuthorizationWork) -> None:
    """The charges of that version no longer stand: what they used goes back, and the visit no longer counts."""
    await uow.visits.forget(event.tenant_id, event.encounter_id, event.version)
    standing = await uow.consumptions.standing(event.tenant_id, event.encounter_id, event.version)
    if not standing:
        return
    by_id = {x.id: x for x in await uow.authorizations.of_ids([row.authorization_id for row in standing])}
    for row in standing:
        authorization = by_id[row.authorization_id]
        authorization.give_back(event.encounter_id, row.line_number, row.used, row.over_drawn)
        publish(uow, authorization)
        await uow.authorizations.save(authorization)
    await uow.consumptions.returned(standing)


async def on_payer_facts_overridden(event: PayerFactsOverridden, uow: PriorAuthorizationWork) -> None:
    """A practice's overrides of a payer's facts kept (the latest per payer and start; empty facts withdraw it), for
    the rules read for its patients' charges."""
    await uow.payer_overrides.record(event)


async def announce_endings(uow: PriorAuthorizationWork, today: date) -> int:
    """AuthorizationExpiring for approved authorizations whose end is near (each payer's days); how many."""
    count = 0
    horizon = today + timedelta(days=max(rule.warn_days for rule in shipped()))
    for authorization in await uow.authorizations.ending_by(horizon):
        authorization.ending(today, rule_of(authorization.payer_id, today))
        if publish(uow, authorization):
            await uow.authorizations.save(authorization)
            count += 1
    return count
