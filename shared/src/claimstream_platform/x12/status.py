"""276 and 277 (005010X212): the claim status request and response, read into the values of status_model.py and
written from them.

Reading walks the HL tree: 20 the payer (2100A), 21 the information receiver (2100B), 19 the provider (2100C), 22
the subscriber (2100D), 23 a dependent patient (2100E). Each TRN opens a claim (2200D/E) that takes the parties of
the loops above it; its REF, AMT, DTP and STC follow, then its service lines (SVC, each with its own STC and DTP).
A value that cannot be read is an X12Error naming the segment's position, tag and element.
"""

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from claimstream_platform.x12.eligibility_model import Party
from claimstream_platform.x12.envelope import Transaction, X12Error
from claimstream_platform.x12.segments import Delimiters, Segment, amount
from claimstream_platform.x12.status_model import ClaimStatus, Line, Status

IMPLEMENTATION = "005010X212"
LEVELS = {"20": "payer", "21": "receiver", "19": "provider", "22": "subscriber", "23": "dependent"}
ROLES = {"PR": "payer", "41": "receiver", "1P": "provider", "IL": "subscriber", "QC": "patient"}
REFERENCES = {"EJ": "patient_control_number", "1K": "payer_claim_number", "BLT": "bill_type"}
# A new loop at a level forgets the parties of its level and of those below it.
BELOW = {
    "provider": ("provider", "subscriber", "patient"),
    "subscriber": ("subscriber", "patient"),
    "dependent": ("patient",),
}


@dataclass
class _Claim:
    parties: dict[str, Party]
    trace: str
    position: int
    level: str
    values: dict[str, Any] = field(default_factory=dict)  # ClaimStatus's fields read so far
    statuses: list[Status] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)


class _Walk:
    """One pass over a transaction's segments: the parties of the loops so far, and the claims."""

    def __init__(self, delimiters: Delimiters) -> None:
        self.d = delimiters
        self.parties: dict[str, Party] = {}
        self.patient: dict[str, Any] = {}  # the DMG of the level being read
        self.claims: list[_Claim] = []
        self.claim: _Claim | None = None
        self.level = ""
        self.in_line = False

    def hl(self, segment: Segment) -> None:
        level = LEVELS.get(segment.get(3))
        if level is None:
            reason = f"HL03 {segment.get(3)!r} is no 276/277 level"
            raise X12Error(reason, position=segment.position, tag="HL", element=3)
        for role in BELOW.get(level, ()):
            self.parties.pop(role, None)
        self.patient, self.claim, self.in_line, self.level = {}, None, False, level

    def nm1(self, segment: Segment) -> None:
        role = ROLES.get(segment.get(1))
        if role is not None:
            names = (segment.get(1), segment.get(2), segment.get(3), segment.get(4))
            self.parties[role] = Party(*names, segment.get(8), segment.get(9))

    def dmg(self, segment: Segment) -> None:
        self.patient = {"birth_date": _date(segment, 2), "sex": segment.get(3)}

    def trn(self, segment: Segment) -> None:
        level = self.level if self.level in ("receiver", "provider") else "claim"
        self.claim = _Claim(dict(self.parties), segment.get(2), segment.position, level, dict(self.patient))
        self.claims.append(self.claim)
        self.in_line = False

    def ref(self, segment: Segment) -> None:
        name = REFERENCES.get(segment.get(1))
        if self.claim is not None and not self.in_line and name is not None:
            self.claim.values[name] = segment.get(2)

    def amt(self, segment: Segment) -> None:
        if self.claim is not None and segment.get(1) == "T3":
            self.claim.values["charge"] = _decimal(segment, 2)

    def dtp(self, segment: Segment) -> None:
        if self.claim is None or segment.get(1) != "472":
            return
        first, last = _period(segment)
        if self.in_line:
            self.claim.lines[-1] = replace(self.claim.lines[-1], service_date=first)
        else:
            self.claim.values |= {"service_from": first, "service_to": last}

    def stc(self, segment: Segment) -> None:
        if self.claim is None:
            raise X12Error("a status (STC) before its claim's TRN", position=segment.position, tag="STC")
        found = _statuses(segment, self.d)
        if self.in_line:
            last = self.claim.lines[-1]
            self.claim.lines[-1] = replace(last, statuses=(*last.statuses, *found))
        else:
            self.claim.statuses += found

    def svc(self, segment: Segment) -> None:
        if self.claim is None:
            raise X12Error("a service line (SVC) before its claim's TRN", position=segment.position, tag="SVC")
        qualifier, procedure, *modifiers = [*segment.get(1).split(self.d.component), ""]
        charge, paid = _decimal(segment, 2) or Decimal(0), _decimal(segment, 3)
        line = Line(procedure, charge, paid, qualifier, tuple(m for m in modifiers[:4] if m))
        self.claim.lines.append(replace(line, units=segment.get(7)))
        self.in_line = True


def read_status(transaction: Transaction, delimiters: Delimiters) -> list[ClaimStatus]:
    """Every claim of a 276 or a 277, with the parties of the loops above it (and in a 277, its statuses)."""
    walk = _Walk(delimiters)
    for segment in transaction.segments:
        handler = _SEGMENTS.get(segment.tag)
        if handler is not None:
            handler(walk, segment)
    return [_claim_status(claim) for claim in walk.claims]


def _claim_status(claim: _Claim) -> ClaimStatus:
    """The claim as read; one answered at the claim's level names its provider and subscriber."""
    needed = ("payer", "receiver", *(("provider", "subscriber") if claim.level == "claim" else ()))
    missing = [role for role in needed if role not in claim.parties]
    if missing:
        reason = f"the claim traced {claim.trace!r} has no {', '.join(missing)} above it (2100A-D NM1)"
        raise X12Error(reason, position=claim.position, tag="TRN")
    p = claim.parties
    found = ClaimStatus(p["payer"], p["receiver"], claim.trace, p.get("provider"), p.get("subscriber"))
    found = replace(found, patient=p.get("patient"), level=claim.level, **claim.values)
    return replace(found, statuses=tuple(claim.statuses), lines=tuple(claim.lines))


def _statuses(segment: Segment, d: Delimiters) -> list[Status]:
    """STC01, and STC10 and STC11 when the payer gives more than one status for the same effective date."""
    effective = _date(segment, 2) if segment.get(2) else None
    paid_on = _date(segment, 8) if segment.get(8) else None
    first = _status(segment.get(1), d)
    found = [replace(first, effective=effective, charge=_decimal(segment, 4), paid=_decimal(segment, 5))]
    found[0] = replace(found[0], paid_on=paid_on, check_number=segment.get(9))
    return found + [replace(_status(segment.get(n), d), effective=effective) for n in (10, 11) if segment.get(n)]


def _status(composite: str, d: Delimiters) -> Status:
    parts = [*composite.split(d.component), "", ""]
    return Status(parts[0], parts[1], parts[2])


def _period(segment: Segment) -> tuple[date, date]:
    if segment.get(2) == "RD8":
        first, _, last = segment.get(3).partition("-")
        return _parse(segment, first), _parse(segment, last)
    return _date(segment, 3), _date(segment, 3)


def _date(segment: Segment, number: int) -> date:
    return _parse(segment, segment.get(number), number)


def _parse(segment: Segment, text: str, number: int = 3) -> date:
    try:
        return datetime.strptime(text, "%Y%m%d").date()
    except ValueError:
        reason = f"{text!r} is not a CCYYMMDD date"
        raise X12Error(reason, position=segment.position, tag=segment.tag, element=number) from None


def _decimal(segment: Segment, number: int) -> Decimal | None:
    text = segment.get(number)
    try:
        return Decimal(text) if text else None
    except InvalidOperation:
        reason = f"{text!r} is not a number"
        raise X12Error(reason, position=segment.position, tag=segment.tag, element=number) from None


_SEGMENTS: dict[str, Callable[[_Walk, Segment], None]] = {
    segment.upper(): getattr(_Walk, segment)
    for segment in ("hl", "nm1", "dmg", "trn", "ref", "amt", "dtp", "stc", "svc")
}  # each segment's handler is the walk's method of its name


def transaction_276(claims: list[ClaimStatus], control_number: str, *, created: datetime) -> Transaction:
    """Our request: the claims (of one payer and receiver) each under its provider and subscriber loops."""
    return _transaction("276", "13", claims, control_number, created)


def transaction_277(claims: list[ClaimStatus], control_number: str, *, created: datetime) -> Transaction:
    """The payer's answer (the simulator's): each claim with its statuses and its lines'."""
    return _transaction("277", "08", claims, control_number, created)


def _transaction(kind: str, purpose: str, claims: list[ClaimStatus], number: str, created: datetime) -> Transaction:
    first = claims[0]
    stamp = (created.strftime("%Y%m%d"), created.strftime("%H%M"))
    segments = [Segment.of("BHT", "0010", purpose, first.trace, *stamp), Segment.of("HL", "1", "", "20", "1")]
    segments += [_nm1(first.payer), Segment.of("HL", "2", "1", "21", "1"), _nm1(first.receiver)]
    hl = 2
    for claim in claims:
        if claim.provider is None or claim.subscriber is None:
            raise ValueError("we write claims' statuses only: each names its provider and subscriber")
        segments += [Segment.of("HL", str(hl + 1), "2", "19", "1"), _nm1(claim.provider)]
        dependent = claim.patient is not None
        segments.append(Segment.of("HL", str(hl + 2), str(hl + 1), "22", "1" if dependent else "0"))
        if claim.patient is None:
            segments += [*_dmg(kind, claim), _nm1(claim.subscriber), *_claim_segments(kind, claim)]
        else:
            segments += [_nm1(claim.subscriber), Segment.of("HL", str(hl + 3), str(hl + 2), "23")]
            segments += [*_dmg(kind, claim), _nm1(claim.patient), *_claim_segments(kind, claim)]
        hl += 3 if dependent else 2
    return Transaction(kind, number, IMPLEMENTATION, segments)


def _claim_segments(kind: str, claim: ClaimStatus) -> list[Segment]:
    segments = [Segment.of("TRN", "1" if kind == "276" else "2", claim.trace)]
    segments += [_stc(status) for status in claim.statuses]
    references = (("1K", claim.payer_claim_number), ("BLT", claim.bill_type), ("EJ", claim.patient_control_number))
    segments += [Segment.of("REF", qualifier, value) for qualifier, value in references if value]
    if claim.charge is not None:
        segments.append(Segment.of("AMT", "T3", amount(claim.charge)))
    if claim.service_from is not None:
        segments.append(_service_dates(claim.service_from, claim.service_to or claim.service_from))
    for line in claim.lines:
        paid = amount(line.paid) if line.paid is not None else ""
        procedure = (line.qualifier, line.procedure, *line.modifiers)
        segments.append(Segment.of("SVC", procedure, amount(line.charge), paid, "", "", "", line.units))
        segments += [_stc(status) for status in line.statuses]
        if line.service_date is not None:
            segments.append(_service_dates(line.service_date, line.service_date))
    return segments


def _stc(s: Status) -> Segment:
    money = [amount(value) if value is not None else "" for value in (s.charge, s.paid)]
    paid_on = s.paid_on.strftime("%Y%m%d") if s.paid_on else ""
    effective = s.effective.strftime("%Y%m%d") if s.effective else ""
    return Segment.of("STC", (s.category, s.code, s.entity), effective, "", *money, "", "", paid_on, s.check_number)


def _service_dates(first: date, last: date) -> Segment:
    if first == last:
        return Segment.of("DTP", "472", "D8", first.strftime("%Y%m%d"))
    return Segment.of("DTP", "472", "RD8", f"{first:%Y%m%d}-{last:%Y%m%d}")


def _dmg(kind: str, claim: ClaimStatus) -> list[Segment]:
    if kind != "276" or claim.birth_date is None:
        return []
    return [Segment.of("DMG", "D8", claim.birth_date.strftime("%Y%m%d"), claim.sex)]


def _nm1(party: Party) -> Segment:
    names = (party.code, party.kind, party.last_or_name, party.first, "", "", "")
    return Segment.of("NM1", *names, party.id_qualifier, party.identifier)


__all__ = ["IMPLEMENTATION", "read_status", "transaction_276", "transaction_277"]
