"""The 278 request for review and its response (005010X217) as values: what prior authorization sends and reads,
and what the simulator reads and answers. The layouts are in domain.md §7.3; reading and writing are in review.py.
"""

from dataclasses import dataclass
from datetime import date

from claimstream_platform.x12.eligibility_model import Party, Rejection

# HCR01, the payer's action: A1 certified in total, A2 certified in part, A3 not certified, A4 pended, A6 modified,
# C cancelled, CT contact the payer, NA no action required (no authorization needed).
CERTIFIED = frozenset({"A1", "A2", "A6"})


@dataclass(frozen=True)
class ReviewRequest:
    """One patient event (2000E) asking for outpatient behavioral-health services (2000F, one per code), visits or
    units over a date span. A renewal or extension cites the authorization it continues (REF*BB)."""

    payer: Party  # X3, the utilization management organization
    requester: Party  # 1P
    subscriber: Party  # IL, with its member id
    trace: str  # TRN02: echoed by the payer
    originator: str  # TRN03
    codes: tuple[str, ...]  # SV1 HC procedure codes
    quantity: int  # HSD02
    start: date | None  # DTP*472 RD8 (a sample may give none: the payer decides the span)
    end: date | None
    quantity_kind: str = "VS"  # HSD01: VS visits, UN units (the guide's FL for units is also read)
    certification: str = "I"  # UM02: I initial, R renewal, 4 extension, S revised
    service_type: str = "MH"  # UM03
    place: str = "11"  # UM04-1
    diagnoses: tuple[str, ...] = ()  # HI ABK, then ABF
    birth_date: date | None = None
    previous_authorization: str = ""  # REF*BB


@dataclass(frozen=True)
class ReviewDecision:
    """The payer's answer to one request: its action, the authorization number and what it approved (a service
    loop's HCR, HSD and DTP override the event's), or the AAA rejections when it could not decide."""

    trace: str
    action: str  # HCR01
    authorization_number: str = ""  # HCR02
    reason: str = ""  # HCR03: why not certified, or pended
    quantity: int | None = None
    quantity_kind: str = ""
    start: date | None = None
    end: date | None = None
    rejections: tuple[Rejection, ...] = ()

    @property
    def certified(self) -> bool:
        return self.action in CERTIFIED
