"""Captured charges, a run at a time: each charge's visit counted among the patient's visits with the payer this year,
whether it needs an authorization none on file covers (AuthorizationRequired), one asked for ahead of the visits past
the payer's count, and its lines burned down on the authorizations that cover them (payer, patient, provider, code,
date): a visit once per encounter, units as billed. A redelivered charge is counted once.

A run is one tenant's charges of the consumer's batch, in order (a charge alone is a run of one). What each of its
charges would ask for is read once for the run: the practices' overrides of their payers' facts, which patients have
an approved authorization at all (the others have none to draw on, and most patients have none), and the patients'
visits this year, which the run counts and records in memory (`visit_counts.RunVisits`) and writes at its end. Under
each patient's lock with the payer (`uow.visits.hold_counts`), which the consumer takes for the whole batch first."""

from collections.abc import Sequence
from datetime import date

from claimstream_platform.contracts.charge_capture import ChargeCaptured
from claimstream_platform.contracts.prior_authorization import ConcurrentReviewDue
from claimstream_platform.messaging.consumer import Delivery, caused_by
from claimstream_platform.payer_overrides import PracticePayer

from prior_authorization.domain import Authorization, Patient
from prior_authorization.handlers import publish, renew
from prior_authorization.lines import allocate
from prior_authorization.repository import PriorAuthorizationWork
from prior_authorization.rules import Rule, practice_rule
from prior_authorization.visit import Visit, VisitLine
from prior_authorization.visit_counts import CountKey, RunVisits, VisitRow, count_key


async def on_charges_captured(deliveries: Sequence[Delivery], uow: PriorAuthorizationWork) -> None:
    await captured(uow, [(d.event, d) for d in deliveries if isinstance(d.event, ChargeCaptured)])


async def on_charge_captured(event: ChargeCaptured, uow: PriorAuthorizationWork) -> None:
    await captured(uow, [(event, None)])


async def captured(uow: PriorAuthorizationWork, run: Sequence[tuple[ChargeCaptured, Delivery | None]]) -> None:
    """The run's charges in order, on what the run read at once, each publishing as caused by its own delivery; its
    visits written at its end."""
    charges = [(event, delivery) for event, delivery in run if event.practice_id is not None]
    if not charges:
        return
    tenant_id, keys = charges[0][0].tenant_id, {_key(event) for event, _ in charges}
    await uow.visits.hold_counts(keys)
    overrides = await uow.payer_overrides.of(_practice_payer(event) for event, _ in charges)
    authorized = await uow.authorizations.approved_for(tenant_id, keys)
    since = date(min(event.service_date.year for event, _ in charges), 1, 1)
    visits = RunVisits.of(await uow.visits.of_run(tenant_id, keys, since, {e.encounter_id for e, _ in charges}))
    for event, delivery in charges:
        layers = overrides.get(_practice_payer(event), ())
        rule = practice_rule(event.coverage.payer_id, event.service_date, layers, event.payer.kind)
        with caused_by(delivery):
            await _charge(uow, event, rule, visits, covered=_key(event) in authorized)
    await uow.visits.record_all(visits.written())


async def _charge(
    uow: PriorAuthorizationWork, event: ChargeCaptured, rule: Rule, visits: RunVisits, *, covered: bool
) -> None:
    """One charge: the authorizations covering it (locked; none asked for when its patient has none approved), its
    visit counted and recorded, then required, asked ahead and burned down."""
    assert event.practice_id is not None
    key, patient, payer = _key(event), event.patient.external_id, event.coverage.payer_id
    day = event.service_date
    covering = (
        await uow.authorizations.covering(event.tenant_id, event.practice_id, patient, payer, day) if covered else []
    )
    earlier = visits.earlier(key, event.encounter_id, day)
    visits.record(VisitRow(event.encounter_id, event.version, key, day))
    _require(uow, event, covering, rule, earlier)
    await _ask_ahead(uow, event, rule, earlier)
    await _burn_down(uow, event, covering, rule)


def _key(event: ChargeCaptured) -> CountKey:
    assert event.practice_id is not None
    return count_key(event.tenant_id, event.practice_id, event.patient.external_id, event.coverage.payer_id)


def _practice_payer(event: ChargeCaptured) -> PracticePayer:
    assert event.practice_id is not None
    return (event.tenant_id, event.practice_id, event.coverage.payer_id)


async def _burn_down(
    uow: PriorAuthorizationWork, event: ChargeCaptured, covering: list[Authorization], rule: Rule
) -> None:
    """Each line draws on the lines that cover its code (lines.allocate); what goes over is recorded and
    announced, never dropped. An encounter version is counted once (a redelivered charge changes nothing)."""
    serving = [a for a in covering if a.serves(event.rendering_provider.npi)]
    if not serving or await uow.consumptions.counted(event.tenant_id, event.encounter_id, event.version):
        return
    charges = [(line.code, line.units) for line in event.lines]
    for draw in allocate([a.lines for a in serving], charges, event.service_date):
        authorization = serving[draw.authorization]
        await uow.consumptions.record(authorization.id, draw, event)
        authorization.consume(event.encounter_id, event.version, event.service_date, draw, rule)
        for found in publish(uow, authorization):
            if isinstance(found, ConcurrentReviewDue):
                await renew(uow, authorization, rule.renewal_visits, event.service_date)
        await uow.authorizations.save(authorization)


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
