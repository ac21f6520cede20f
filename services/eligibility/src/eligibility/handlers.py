"""Checks asked and answered. From the API: stored, asked at once (a 270 to the clearinghouse, its 271 read and
summarized), the answer stored and its events published in the request's transaction; an outage of the
clearinghouse changes nothing (503). From a captured charge: stored as pending when the coverage has no fresh
answer, and asked by the pending-check loop (check_loop.py), which retries an outage later."""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol
from uuid import UUID

from claimstream_platform.contracts.charge_capture import ChargeCaptured, ChargeVoided
from claimstream_platform.x12 import X12Error

from eligibility import estimate_charges
from eligibility.benefits import Summary, summarize
from eligibility.cost import Price
from eligibility.domain import Check, Patient
from eligibility.freshness import fresh_days
from eligibility.inquiry import answer_for, interchange_270
from eligibility.repository import EligibilityWork

SERVICE_TYPES = ("30", "MH")  # many payers answer 30 only; some accept one EQ: the plan, then mental health


class Clearinghouse(Protocol):
    async def ask(self, interchange: str) -> list[str]: ...


@dataclass(frozen=True)
class Sender:
    """Who our 270s come from and go to (ISA06/ISA08), and ISA15."""

    sender_id: str
    receiver_id: str
    usage: str = "P"


async def run_check(
    uow: EligibilityWork, clearinghouse: Clearinghouse, sender: Sender, check: Check, price: Price | None
) -> Check:
    """A new check, asked now; `price` for the next visit's cost."""
    await uow.checks.insert(check)
    return await ask(uow, clearinghouse, sender, check, price)


async def ask(
    uow: EligibilityWork, clearinghouse: Clearinghouse, sender: Sender, check: Check, price: Price | None
) -> Check:
    """Send a stored pending check's 270 and record the answer; a TransientError leaves it pending."""
    control = await uow.checks.next_control()
    text = interchange_270(
        check,
        sender_id=sender.sender_id,
        receiver_id=sender.receiver_id,
        control=control,
        now=datetime.now(UTC),
        usage=sender.usage,
    )
    documents = await clearinghouse.ask(text)
    try:
        summary = summarize(answer_for(check, documents), check.payer_id, price, served=check.service_date)
    except (X12Error, ValueError):  # the payer's answer cannot be read: the check failed, the reason is "271"
        summary = Summary("failed", check.payer_id, rejection="271", follow_up="R")
    check.answered(summary)
    uow.publish_recorded(check)
    await uow.checks.answered(check)
    following = check.administrators_check()
    if following is not None:
        await ask_later(uow, following)  # the loop asks it
    return check


async def on_charge_captured(event: ChargeCaptured, uow: EligibilityWork) -> None:
    """A visit's coverage is checked unless it has a fresh answer (its payer's days, a payer fact) or a
    pending question already; its charge counts against the patient's Good Faith Estimates."""
    if event.practice_id is None:
        return
    await estimate_charges.billed(uow, event)
    await ask_later(uow, _visit_check(event))


def _visit_check(event: ChargeCaptured) -> Check:
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


async def ask_later(uow: EligibilityWork, check: Check) -> UUID:
    """Store the check as pending for the loop, unless a fresh answer or a pending question stands for the same
    coverage: then that check's id."""
    existing = await uow.checks.recent_for(check, days=fresh_days(check.payer_id, check.service_date))
    if existing is not None:
        return existing
    await uow.checks.insert(check)
    return check.id
