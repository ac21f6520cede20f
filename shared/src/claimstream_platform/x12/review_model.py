"""The 278 request for review and its response (005010X217) as values: what prior authorization sends and reads,
and what the simulator reads and answers. The layouts are in docs/prior-authorization.md; reading and writing are
in review.py.

A response decides per patient event (2000E) and, below it, per service (2000F): each service has its own action,
number, quantity and dates, and takes the event's where it says none.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Literal

from claimstream_platform.x12.eligibility_model import Party, Rejection

Outcome = Literal["certified", "denied", "pended", "contact", "cancelled", "not_required", "unknown"]
Unit = Literal["visits", "units"]

# HCR01, the payer's action, and what it means to the requester. A1 certifies what was asked as it was asked; A2
# (in part) and A6 (modified) certify what the response itself says. CT asks the requester to contact the payer:
# nothing is decided and a person has to call; it is not a denial. An action not listed here is "unknown".
ACTIONS: Mapping[str, Outcome] = {
    "A1": "certified",  # certified in total
    "A2": "certified",  # certified in part
    "A6": "certified",  # modified
    "A3": "denied",  # not certified
    "A4": "pended",  # the payer decides later
    "C": "cancelled",
    "CT": "contact",  # contact the payer
    "NA": "not_required",  # no action required: no authorization needed
}
IN_TOTAL = "A1"  # the one action that certifies what was asked when the response gives no quantity
CERTIFIED = frozenset(action for action, outcome in ACTIONS.items() if outcome == "certified")

# HSD01, what a quantity counts: VS visits, FL units (the guide's code for units). UN is read as units too, as
# some senders write it; we write FL.
VISITS, UNITS = "VS", "FL"
QUANTITY_UNITS: Mapping[str, Unit] = {"VS": "visits", "FL": "units", "UN": "units"}


def outcome_of(action: str) -> Outcome:
    return ACTIONS.get(action, "unknown")


def hsd_kind(kind: str) -> str:
    """The HSD01 we write for a quantity kind: FL for units (whatever the caller called them), VS for visits, any
    other kind as given."""
    return UNITS if QUANTITY_UNITS.get(kind) == "units" else kind


@dataclass(frozen=True)
class ReviewRequest:
    """One patient event (2000E) asking for outpatient behavioral-health services (2000F, one per code), visits or
    units over a date span. The event's quantity (its HSD) is shared by every service that has none of its own;
    `quantities`, when given, is each code's own (None: it shares the event's). A renewal or extension cites the
    authorization it continues (REF*BB)."""

    payer: Party  # X3, the utilization management organization
    requester: Party  # 1P
    subscriber: Party  # IL, with its member id
    trace: str  # TRN02: echoed by the payer
    originator: str  # TRN03
    codes: tuple[str, ...]  # SV1 HC procedure codes
    quantity: int  # the event's HSD02: the whole request
    start: date | None  # DTP*472 RD8 (a sample may give none: the payer decides the span)
    end: date | None
    quantity_kind: str = VISITS  # HSD01: VS visits, FL units (UN is read, and written, as FL)
    certification: str = "I"  # UM02: I initial, R renewal, 4 extension, S revised
    service_type: str = "MH"  # UM03
    place: str = "11"  # UM04-1
    diagnoses: tuple[str, ...] = ()  # HI ABK, then ABF
    birth_date: date | None = None
    previous_authorization: str = ""  # REF*BB
    quantities: tuple[int | None, ...] = ()  # each code's own HSD02 (2000F), in the order of `codes`

    def quantity_of(self, index: int) -> int | None:
        """The service's own quantity, or None when it shares the event's."""
        return self.quantities[index] if index < len(self.quantities) else None


@dataclass(frozen=True)
class ServiceDecision:
    """The payer's answer for one service (2000F): its own HCR, HSD and DTP*472, or the event's where it gave
    none. `quantity` is None when neither the service nor the event says how much (never 0 for "not said": an
    approved 0 is 0)."""

    code: str  # SV1-01-2 (SV2-02-2)
    action: str  # HCR01
    authorization_number: str = ""  # HCR02
    reason: str = ""  # HCR03
    quantity: int | None = None  # HSD02
    quantity_kind: str = ""  # HSD01 as sent: VS, FL (or UN), or another kind a payer used
    start: date | None = None
    end: date | None = None
    modifiers: tuple[str, ...] = ()
    quantity_of_event: bool = False  # the quantity is the event's: shared with the services that also take it

    @property
    def outcome(self) -> Outcome:
        return outcome_of(self.action)

    @property
    def certified(self) -> bool:
        return self.action in CERTIFIED


@dataclass(frozen=True)
class ReviewDecision:
    """The payer's answer to one request: the event's own decision (its HCR, HSD and dates) and each service's
    (`services`, in the order sent), or the AAA rejections when it could not decide. A response without service
    loops decides by the event alone."""

    trace: str
    action: str  # HCR01 of the event
    authorization_number: str = ""  # HCR02
    reason: str = ""  # HCR03: why not certified, or pended
    quantity: int | None = None
    quantity_kind: str = ""
    start: date | None = None
    end: date | None = None
    rejections: tuple[Rejection, ...] = ()
    services: tuple[ServiceDecision, ...] = ()

    @property
    def certified(self) -> bool:
        return self.action in CERTIFIED

    @property
    def outcome(self) -> Outcome:
        return outcome_of(self.action)

    def for_code(self, code: str) -> ServiceDecision:
        """The decision on one code: its service's, or the event's when no service names it."""
        found = next((s for s in self.services if s.code == code), None)
        event = ServiceDecision(
            code,
            self.action,
            self.authorization_number,
            self.reason,
            self.quantity,
            self.quantity_kind,
            self.start,
            self.end,
            quantity_of_event=self.quantity is not None,
        )
        return found or event
