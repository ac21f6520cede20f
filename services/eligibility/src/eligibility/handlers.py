"""Checks asked and answered. A check is asked in three phases, so that no call to the clearinghouse holds a
database connection or transaction, and a retry never sends a second 270 for the same check:

1. `intend` (or, for stored pending checks, `write_inquiries`): the check is stored with its 270 exactly as it will
   be sent (its own ISA13 from the sequence, its trace the check's id) and when it went out; committed.
2. The 270 sent (`Clearinghouse.ask`, bounded in time), outside any transaction.
3. `record`: the 271's answer and its events, in one transaction, unless another attempt recorded it first.

Whoever asks again (a retry of the same Idempotency-Key, the pending-check loop after a crash or an outage) sends
the stored 270 byte for byte. The clearinghouse knows it (the same content carries the same Idempotency-Key,
`claimstream_platform.realtime`) and answers it once: the payer sees one question, and what comes back is the answer
it gave. From the API the answer comes back with the check (the phases are `run_inquiry`'s); from a captured charge
the check is stored as pending when the coverage has no fresh answer, and asked by the pending-check loop
(check_loop.py), which also finishes a check whose asker went away."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol
from uuid import UUID

from claimstream_platform.contracts.charge_capture import ChargeCaptured, ChargeVoided
from claimstream_platform.messaging.consumer import Delivery, caused_by
from claimstream_platform.x12 import X12Error

from eligibility import estimate_charges
from eligibility.benefits import Summary, summarize
from eligibility.cost import Price
from eligibility.domain import Check, Patient
from eligibility.freshness import fresh_days
from eligibility.inquiry import answer_for, interchange_270
from eligibility.repository import EligibilityWork
from eligibility.repository.checks import Standing, coverage_of

SERVICE_TYPES = ("30", "MH")  # many payers answer 30 only; some accept one EQ: the plan, then mental health
LEASE = timedelta(minutes=1)  # longer than one call to the clearinghouse may take: the loop asks no check in flight


class Clearinghouse(Protocol):
    async def ask(self, interchange: str) -> list[str]:
        """The documents answering the interchange; the same interchange sent again gets the same answer, once."""
        ...


@dataclass(frozen=True)
class Sender:
    """Who our 270s come from and go to (ISA06/ISA08), and ISA15."""

    sender_id: str
    receiver_id: str
    usage: str = "P"

    def inquiry(self, check: Check, control: int, now: datetime) -> str:
        """The check's 270 from us, with ISA13 `control`."""
        ids = {"sender_id": self.sender_id, "receiver_id": self.receiver_id}
        return interchange_270(check, **ids, control=control, now=now, usage=self.usage)


async def intend(uow: EligibilityWork, sender: Sender, check: Check) -> str:
    """A new check stored with its 270, as it will be sent (the first phase)."""
    await uow.checks.insert(check)
    [(_, inquiry)] = await write_inquiries(uow, sender, [(check, None)])
    return inquiry


async def write_inquiries(
    uow: EligibilityWork, sender: Sender, taken: Sequence[tuple[Check, str | None]]
) -> list[tuple[Check, str]]:
    """Stored checks' 270s, stored as they go out now: one not written yet (None) is written once, with the next
    ISA13; one written before goes out again as it was stored, byte for byte."""
    controls = iter(await uow.checks.next_controls(sum(1 for _, inquiry in taken if inquiry is None)))
    now = datetime.now(UTC)
    questions = [
        (check, stored if stored is not None else sender.inquiry(check, next(controls), now)) for check, stored in taken
    ]
    await uow.checks.asking({check.id: inquiry for check, inquiry in questions})
    return questions


async def record(
    uow: EligibilityWork, check_id: UUID, inquiry: str, documents: list[str] | None, price: Price | None
) -> Check | None:
    """The answer to `inquiry` and its events recorded (the last phase), unless `documents` is None (nothing was
    asked) or the check no longer waits for that 270 (another attempt recorded its answer, which stands): the
    check as it stands; None when there is no such check. `price` for the next visit's cost."""
    return (await record_all(uow, [Heard(check_id, inquiry, documents)], price)).get(check_id)


@dataclass(frozen=True)
class Heard:
    """What came back for one check's 270 (`documents`: None when nothing was asked)."""

    check_id: UUID
    inquiry: str
    documents: list[str] | None


async def record_all(uow: EligibilityWork, heard: Sequence[Heard], price: Price | None) -> dict[UUID, Check]:
    """Several answers recorded as `record` records one, with one read and one write for them all: the checks as
    they stand, by id (one not found is not there)."""
    found = await uow.checks.questions(answer.check_id for answer in heard)
    answered: list[Check] = []
    for answer in heard:
        check, standing = found.get(answer.check_id, (None, None))
        if check is None or answer.documents is None or check.status != "pending" or standing != answer.inquiry:
            continue
        try:
            summary = summarize(answer_for(check, answer.documents), check.payer_id, price, served=check.service_date)
        except (X12Error, ValueError):  # the payer's answer cannot be read (or never came): failed, reason "271"
            summary = Summary("failed", check.payer_id, rejection="271", follow_up="R")
        check.answered(summary)
        answered.append(check)
    uow.publish_recorded(*answered)
    await uow.checks.answered(*answered)
    await _ask_administrators(uow, answered)
    return {check_id: check for check_id, (check, _) in found.items()}


async def _ask_administrators(uow: EligibilityWork, answered: Sequence[Check]) -> None:
    """The carve-outs' administrators asked the same questions, later (the loop asks them): their coverages' locks
    taken at once in one order, then each tenant's checks stored together (answers of several tenants come in one
    pass of the loop)."""
    following = [check for check in (c.administrators_check() for c in answered) if check is not None]
    await uow.checks.hold_coverages(following)
    by_tenant: dict[UUID, list[Check]] = {}
    for check in following:
        by_tenant.setdefault(check.tenant_id, []).append(check)
    for checks in by_tenant.values():
        await ask_all_later(uow, checks)


async def on_charges_captured(deliveries: Sequence[Delivery], uow: EligibilityWork) -> None:
    await captured(uow, [(d.event, d) for d in deliveries if isinstance(d.event, ChargeCaptured)])


async def on_charge_captured(event: ChargeCaptured, uow: EligibilityWork) -> None:
    await captured(uow, [(event, None)])


async def captured(uow: EligibilityWork, run: Sequence[tuple[ChargeCaptured, Delivery | None]]) -> None:
    """A run of captured charges (one tenant's, in order), each publishing as caused by its own delivery: each
    visit's coverage is checked unless it has a fresh answer (its payer's days, a payer fact) or a pending question
    already; each charge counts against the patient's Good Faith Estimates, looked up only for the patients the run
    finds any estimate for (most have none)."""
    charges = [(event, delivery) for event, delivery in run if event.practice_id is not None]
    if not charges:
        return
    estimated = await uow.estimates.estimated(charges[0][0].tenant_id, {_patient(event) for event, _ in charges})
    for event, delivery in charges:
        if _patient(event) in estimated:
            with caused_by(delivery):
                await estimate_charges.billed(uow, event)
    await ask_all_later(uow, [visit_check(event) for event, _ in charges])


def _patient(event: ChargeCaptured) -> tuple[UUID, str]:
    assert event.practice_id is not None
    return event.practice_id, event.patient.external_id


def visit_check(event: ChargeCaptured) -> Check:
    """The question a captured visit asks: its patient's coverage with its payer on its date, for its billing
    provider."""
    assert event.practice_id is not None
    p, provider, coverage = event.patient, event.billing_provider, event.coverage
    patient = Patient(p.external_id[:80], p.first_name[:60], p.last_name[:60], p.birth_date)
    return Check(
        event.tenant_id,
        event.practice_id,
        patient,
        coverage.payer_id,
        coverage.member_id,
        event.service_date,
        SERVICE_TYPES,
        provider.npi,
        provider.name[:60],
    )


async def on_charge_voided(event: ChargeVoided, uow: EligibilityWork) -> None:
    """A voided charge no longer counts against the patient's Good Faith Estimates."""
    await estimate_charges.billed(uow, event)


async def ask_all_later(uow: EligibilityWork, wanted: Sequence[Check]) -> list[UUID]:
    """Each check (one tenant's) stored as pending for the loop, in order, unless a fresh answer (its payer's days
    on its date) or a pending question stands for the same coverage: then that check's id, as a check stored earlier
    in the same run stands for a later one. Under the coverages' locks, taken at once in one order
    (`uow.checks.hold_coverages`): two triggers at once (a patient's two charges on different partitions, a batch
    beside them) would each miss the other's check, and the payer would get two 270s. One read and one write."""
    if not wanted:
        return []
    await uow.checks.hold_coverages(wanted)
    days = [fresh_days(check.payer_id, check.service_date) for check in wanted]
    standing = await uow.checks.standing(wanted, days=max(days))
    now, ids, added = datetime.now(UTC), [], []
    for check, fresh in zip(wanted, days, strict=True):
        cutoff = now - timedelta(days=fresh)
        same = standing.setdefault(coverage_of(check), [])
        found = next((s.id for s in same if s.pending or (s.answered_at and s.answered_at >= cutoff)), None)
        if found is None:
            found = check.id
            added.append(check)
            same.insert(0, Standing(check.id, pending=True, answered_at=None))
        ids.append(found)
    await uow.checks.insert(*added)
    return ids
