"""What coding made of one version of an encounter: its charge lines, the reasons it cannot be billed (or the
warnings), and who the claim names (from set-up). Pure values: `coding_step` makes them, the `Encounter`
aggregate (domain.py) keeps them and announces them."""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from claimstream_platform.contracts import Reason
from claimstream_platform.contracts import charge_capture as contract

EncounterStatus = Literal["coded", "needs_review", "voided"]


@dataclass(frozen=True)
class ChargeLine:
    line_number: int
    code: str
    modifiers: tuple[str, ...]
    units: int
    amount: Decimal
    diagnosis_pointers: tuple[int, ...]
    minutes: int | None = None
    prior_authorization_number: str | None = None  # 2400 REF*G1, when it differs from the encounter's


@dataclass(frozen=True)
class Parties:
    """Who the claim names, as set up for the practice: providers (as the payer wants them), practice, payers."""

    rendering_provider: contract.RenderingProvider
    supervising_provider: contract.SupervisingProvider | None
    billing_provider: contract.BillingProvider
    payer: contract.Payer
    other_payers: Mapping[str, contract.Payer]  # secondary and tertiary, by payer id
    time_zone: str | None = None  # the practice's (IANA): its business dates, filing windows among them


@dataclass(frozen=True)
class Coded:
    """Coding's answer: claim-ready when it has no problems (then `parties` is known), else held for review."""

    place_of_service: str
    lines: tuple[ChargeLine, ...]
    problems: tuple[Reason, ...]
    warnings: tuple[Reason, ...]
    parties: Parties | None

    @property
    def status(self) -> EncounterStatus:
        return "needs_review" if self.problems else "coded"

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0.00"))
