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
from claimstream_platform.contracts.charge_capture import ChargeCaptured, ChargeVoided, PayerFactsOverridden
from claimstream_platform.contracts.prior_authorization import ConcurrentReviewDue
from claimstream_platform.x12 import X12Error
from claimstream_platform.x12.review_model import ReviewDecision

from prior_authorization.domain import Authorization, Patient
from prior_authorization.lines import allocate
from prior_authorization.repository import PriorAuthorizationWork
from prior_authorization.review import decision_for, interchange_278
from prior_authorization.rules import Rule, practice_rule, rule_for, shipped
from prior_authorization.visit import Visit, VisitLine

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


async def practice_rule_of(uow: PriorAuthorizationWork, event: ChargeCaptured) -> Rule:
    """The rule for the charge's payer on its date of service, by the payer's kind as the charge says it (a payer our
    data does not name gets its kind's rule, as the scrubber does), under its practice's overrides of its facts."""
    assert event.practice_id is not None
    key = (event.tenant_id, event.practice_id, event.coverage.payer_id)
    layers = (await uow.payer_overrides.of([key])).get(key, ())
    return practice_rule(event.coverage.payer_id, event.service_date, layers, event.payer.kind)


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
    gets that one. Under the patient's lock with the payer (`uow.visits.hold_count`, which a charge's review point
    takes too): two asked at once would each miss the other's, and the payer would get two 278s."""
    a = authorization
    await uow.visits.hold_count(a.tenant_id, a.practice_id, a.patient.external_id, a.payer_id)
    waiting = await uow.authorizations.open_renewal(authorization)
    if waiting is not None:
        return waiting
    following = authorization.renewal(start, visits)
    await uow.authorizations.insert(following)
    return following


async def on_charge_captured(event: ChargeCaptured, uow: PriorAuthorizationWork) -> None:
    """Each line uses the authorization that covers it (payer, patient, provider, code, date): a visit once per
    encounter, units as billed. A redelivered charge is counted once."""
    if event.practice_id is None:
        return
    patient, payer = event.patient.external_id, event.coverage.payer_id
    await uow.visits.hold_count(event.tenant_id, event.practice_id, patient, payer)
    covering = await uow.authorizations.covering(event.tenant_id, event.practice_id, patient, payer, event.service_date)
    rule = await practice_rule_of(uow, event)
    earlier = await _count(uow, event)
    _require(uow, event, covering, rule, earlier)
    await _ask_ahead(uow, event, rule, earlier)
    await _burn_down(uow, event, covering, rule)


async def _burn_down(
    uow: PriorAuthorizationWork, event: ChargeCaptured, covering: list[Authorization], rule: Rule
) -> None:
    """Each line draws on the lines that cover its code (lines.allocate); what goes over is recorded and
    announced, never dropped. An encounter version is counted once (a redelivered charge changes nothing)."""
    if await uow.consumptions.counted(event.tenant_id, event.encounter_id, event.version):
        return
    serving = [a for a in covering if a.serves(event.rendering_provider.npi)]
    charges = [(line.code, line.units) for line in event.lines]
    for draw in allocate([a.lines for a in serving], charges, event.service_date):
        authorization = serving[draw.authorization]
        await uow.consumptions.record(authorization.id, draw, event)
        authorization.consume(event.encounter_id, event.version, event.service_date, draw, rule)
        for found in publish(uow, authorization):
            if isinstance(found, ConcurrentReviewDue):
                await renew(uow, authorization, rule.renewal_visits, event.service_date)
        await uow.authorizations.save(authorization)


async def _count(uow: PriorAuthorizationWork, event: ChargeCaptured) -> int:
    """The visit counted; the patient's other visits with the payer this year up to its date."""
    assert event.practice_id is not None
    patient, payer, day = event.patient.external_id, event.coverage.payer_id, event.service_date
    tenant_id, practice_id, encounter_id = event.tenant_id, event.practice_id, event.encounter_id
    earlier = await uow.visits.earlier_this_year(tenant_id, practice_id, encounter_id, patient, payer, day)
    await uow.visits.record(tenant_id, practice_id, encounter_id, event.version, patient, payer, day)
    return earlier


def _require(
    uow: PriorAuthorizationWork, event: ChargeCaptured, covering: list[Authorization], rule: Rule, earlier: int
) -> None:
    """The visit decides whether it needs an authorization none on file covers (AuthorizationRequired)."""
    visit = _visit(event, earlier)
    visit.require(rule, covering)
    uow.publish_recorded(visit)


def _visit(event: ChargeCaptured, earlier: int) -> Visit:
    """The captured charge as prior authorization sees it."""
    assert event.practice_id is not None
    return Visit(
        event.tenant_id,
        event.practice_id,
        event.encounter_id,
        event.version,
        event.patient.external_id,
        event.coverage.payer_id,
        event.service_date,
        event.rendering_provider.npi,
        tuple(VisitLine(line.code, line.prior_authorization_number or "") for line in event.lines),
        earlier,
        event.prior_authorization_number or "",
    )


async def _ask_ahead(uow: PriorAuthorizationWork, event: ChargeCaptured, rule: Rule, earlier: int) -> None:
    """As the year's visits near the count after which the payer wants an authorization (its `ask_ahead`), one
    is asked for the visits after it: a 278 for the rule's codes that the loop sends, unless one was asked for
    already (whatever its answer) or entered. So the visits past the count are billed with its number instead of
    held for it."""
    assert event.practice_id is not None
    if not any(rule.asks_ahead(line.code, earlier + 1) for line in event.lines):
        return
    codes = sorted(rule.visit_codes)
    patient, payer, day = event.patient.external_id, event.coverage.payer_id, event.service_date
    if await uow.authorizations.asked_for(event.tenant_id, event.practice_id, patient, payer, codes, day):
        return
    await uow.authorizations.insert(_ahead(event, codes, rule.renewal_visits))


def _ahead(event: ChargeCaptured, codes: list[str], visits: int) -> Authorization:
    """The request for the visits after the count, to the year's end, for the charge's patient and provider."""
    assert event.practice_id is not None
    p, provider = event.patient, event.rendering_provider
    return Authorization(
        event.tenant_id,
        event.practice_id,
        Patient(p.external_id, p.first_name, p.last_name, p.birth_date),
        event.coverage.payer_id,
        event.coverage.member_id,
        provider.npi,
        f"{provider.first_name} {provider.last_name}",
        tuple(codes),
        visits,
        "visits",
        event.service_date,
        date(event.service_date.year, 12, 31),
        diagnoses=tuple(event.diagnoses),
    )


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
