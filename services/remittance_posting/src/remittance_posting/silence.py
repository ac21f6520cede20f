"""The `PayerSilence` aggregate: a payer that accepted a tenant's claims and has paid none of them for the configured
days. Reporting it records `PayerSilent`; the handler (silence_loop.py) reports it only when the repository opened
it (once, until a payment from the payer ends it) and publishes what `take_events()` gives it. Pure."""

from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

from claimstream_platform.contracts import IntegrationEvent
from claimstream_platform.contracts import remittance_posting as contract


@dataclass
class PayerSilence:
    tenant_id: UUID
    payer_id: str
    claims_waiting: int
    oldest_accepted_on: date  # the oldest unpaid claim's acceptance (277CA), a business date
    last_payment_on: date | None  # the payer's last payment of any of the tenant's claims, a business date
    events: list[IntegrationEvent] = field(default_factory=list, repr=False, compare=False)

    def report(self) -> None:
        self.events.append(
            contract.PayerSilent(
                tenant_id=self.tenant_id,
                payer_id=self.payer_id,
                claims_waiting=self.claims_waiting,
                oldest_accepted_on=self.oldest_accepted_on,
                last_payment_on=self.last_payment_on,
            )
        )

    def take_events(self) -> list[IntegrationEvent]:
        taken, self.events = self.events, []
        return taken
