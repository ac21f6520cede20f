"""Charge capture's aggregates, every change a method that records the events it causes (handlers take them with
`take_events` and publish them in the same transaction). Pure.

`Encounter`: one encounter of one practice, versioned by corrections, coded or held for review, or voided. It is
unique per (tenant, practice, external id). A correction recodes it as a new version and voids the charges of the
version before, when they were captured; a void withdraws them.

`PayerFactsOverride`: a practice's own facts for one payer from a day, where the billing company knows better than
our reference data (docs/domain/payers.md); set, replaced or withdrawn, each recording `PayerFactsOverridden`.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from claimstream_platform.contracts import IntegrationEvent, Reason
from claimstream_platform.contracts import charge_capture as contract
from claimstream_platform.errors import RuleViolation
from claimstream_platform.payers import override
from pydantic import TypeAdapter, ValidationError

from charge_capture.captured import charge_captured
from charge_capture.coded import ChargeLine, Coded, EncounterStatus
from charge_capture.commands import CaptureEncounter

_KEPT_BY_CORRECTIONS = ("practice_id", "external_id")


@dataclass
class Encounter:
    id: UUID
    tenant_id: UUID
    practice_id: UUID
    external_id: str
    version: int
    status: EncounterStatus
    service_date: date
    payer_id: str
    rendering_provider_npi: str
    place_of_service: str
    total_amount: Decimal | None  # None unless coded
    request: dict[str, Any]  # the body as submitted
    request_hash: str
    problems: tuple[Reason, ...]
    warnings: tuple[Reason, ...]
    lines: tuple[ChargeLine, ...]
    created_at: datetime
    updated_at: datetime
    events: list[IntegrationEvent] = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def capture(cls, tenant_id: UUID, command: CaptureEncounter, coded: Coded, *, now: datetime) -> "Encounter":
        """A new encounter, coded: received, and captured or rejected."""
        encounter = cls(
            id=uuid4(),
            tenant_id=tenant_id,
            practice_id=command.practice_id,
            external_id=command.external_id,
            version=0,
            status=coded.status,
            service_date=command.service_date,
            payer_id=command.payer_id,
            rendering_provider_npi=command.rendering_provider_npi,
            place_of_service=coded.place_of_service,
            total_amount=None,
            request=command.request,
            request_hash=command.request_hash,
            problems=(),
            warnings=(),
            lines=(),
            created_at=now,
            updated_at=now,
        )
        encounter._new_version(command, coded, now)
        return encounter

    def is_same_request(self, command: CaptureEncounter) -> bool:
        return command.request_hash == self.request_hash

    def refuse_other_key(self, command: CaptureEncounter) -> None:
        """A correction keeps the encounter's practice and external id (its key)."""
        for name in _KEPT_BY_CORRECTIONS:
            if getattr(command, name) != getattr(self, name):
                raise RuleViolation(f"{name} cannot change in a correction", field=name)

    def correct(self, command: CaptureEncounter, coded: Coded, *, now: datetime) -> None:
        """A corrected encounter, recoded as a new version; the previous version's charges are voided. A voided
        encounter can be corrected too: it comes back as a new version."""
        self.refuse_other_key(command)
        if self.status == "coded":
            self.events.append(self._voided("corrected"))
        self.service_date = command.service_date
        self.payer_id = command.payer_id
        self.rendering_provider_npi = command.rendering_provider_npi
        self.request, self.request_hash = command.request, command.request_hash
        self._new_version(command, coded, now)

    def void(self, reason: str, *, now: datetime) -> None:
        """Withdraw the encounter (the visit should not be billed); its charges, if any, are voided. Repeatable."""
        if self.status == "voided":
            return
        if self.status == "coded":
            self.events.append(self._voided(reason))
        self.status, self.total_amount, self.updated_at = "voided", None, now

    def take_events(self) -> list[IntegrationEvent]:
        taken, self.events = self.events, []
        return taken

    def _new_version(self, command: CaptureEncounter, coded: Coded, now: datetime) -> None:
        self.version += 1
        self.status = coded.status
        self.place_of_service = coded.place_of_service
        self.total_amount = coded.total if coded.status == "coded" else None
        self.problems, self.warnings, self.lines = coded.problems, coded.warnings, coded.lines
        self.updated_at = now
        self.events.append(contract.EncounterReceived(**self._ids()))
        if coded.status == "coded":
            self.events.append(charge_captured(self._ids(), command.claim, coded))
        else:
            self.events.append(contract.ChargeRejected(**self._ids(), reasons=list(coded.problems)))

    def _voided(self, reason: str) -> contract.ChargeVoided:
        return contract.ChargeVoided(**self._ids(), reason=reason)

    def _ids(self) -> dict[str, Any]:
        """What every encounter event names: the encounter and its version."""
        return {
            "tenant_id": self.tenant_id,
            "practice_id": self.practice_id,
            "encounter_id": self.id,
            "version": self.version,
            "external_id": self.external_id,
            "service_date": self.service_date,
        }


_FACT_VALUE: TypeAdapter[contract.FactValue] = TypeAdapter(contract.FactValue, config={"strict": True})


@dataclass
class PayerFactsOverride:
    """A practice's own facts for one payer, over ours from `effective_from` to the day before `effective_to`. No
    facts: none in force (not yet set, or withdrawn). One per (tenant, practice, payer, start)."""

    tenant_id: UUID
    practice_id: UUID
    payer_id: str
    effective_from: date
    effective_to: date | None = None
    facts: dict[str, contract.FactValue] = field(default_factory=dict)
    events: list[IntegrationEvent] = field(default_factory=list, repr=False, compare=False)

    def set(self, effective_to: date | None, facts: dict[str, Any]) -> None:
        """Set (or replace) the facts, checked as strictly as our own data: a bad one is a `RuleViolation` naming
        `facts.<name>` or `effective_to`. The same facts again record nothing."""
        checked = _checked(self.effective_from, effective_to, facts)
        if (effective_to, checked) == (self.effective_to, self.facts):
            return
        self.effective_to, self.facts = effective_to, checked
        self.events.append(self._overridden())

    def withdraw(self) -> None:
        """Our facts hold again from its start; the event's empty facts say so. Nothing in force: nothing recorded."""
        if not self.facts:
            return
        self.effective_to, self.facts = None, {}
        self.events.append(self._overridden())

    def take_events(self) -> list[IntegrationEvent]:
        taken, self.events = self.events, []
        return taken

    def _overridden(self) -> contract.PayerFactsOverridden:
        return contract.PayerFactsOverridden(
            tenant_id=self.tenant_id,
            practice_id=self.practice_id,
            payer_id=self.payer_id,
            effective_from=self.effective_from,
            effective_to=self.effective_to,
            facts=self.facts,
        )


def _checked(start: date, end: date | None, facts: dict[str, Any]) -> dict[str, contract.FactValue]:
    """The facts as the event carries them, each checked alone so that a problem names its own field."""
    if not facts:
        raise RuleViolation("an override sets at least one fact (withdraw it with DELETE)", field="facts")
    try:
        override(start, end, {})
    except ValueError as error:
        raise RuleViolation(str(error), field="effective_to") from None
    checked: dict[str, contract.FactValue] = {}
    for name, value in facts.items():
        try:
            checked[name] = _FACT_VALUE.validate_python(value)
            override(start, None, {name: checked[name]})
        except ValidationError:
            message = f"{name}: a fact is text, a whole number, true or false, or a list of text or numbers"
            raise RuleViolation(message, field=f"facts.{name}") from None
        # `override` lets a window that is not text through as an AttributeError: a bad value all the same.
        except (ValueError, AttributeError) as error:
            raise RuleViolation(str(error), field=f"facts.{name}") from None
    return checked
