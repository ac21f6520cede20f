"""An authorization's lines, pure: each service the payer decided (or the codes that share one quantity), decided
and burned down on its own, and which lines a captured charge draws on.

A 278 response decides each service (2000F) on its own and may give the quantity once for the whole event
(2000E). So a line is: one code with its own quantity, or the codes that share one (what we asked as one pool,
or what the payer certified out of the event's quantity). Codes the payer decided alike within a line stay one
line; codes it decided differently become lines of their own.
"""

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Literal

from claimstream_platform.x12.review_model import IN_TOTAL, QUANTITY_UNITS, Outcome, ReviewDecision, ServiceDecision

Unit = Literal["visits", "units"]
OPEN = ("requested", "pended")  # the payer has not decided: asked again
# What a line becomes for an outcome other than certified. CT ("contact the payer") and an action we do not know
# are for a person to take up: never a denial.
STATUS_OF: dict[Outcome, str] = {
    "pended": "pended",
    "denied": "denied",
    "cancelled": "cancelled",
    "not_required": "not_required",
    "contact": "contact",
    "unknown": "contact",
}


@dataclass
class Line:
    codes: tuple[str, ...]
    requested: int
    unit: Unit
    start: date  # the line's own span once decided (the payer's), the request's before
    end: date
    status: str = "requested"  # requested | pended | approved | denied | contact | cancelled | not_required
    action: str = ""  # HCR01 that decided it
    number: str = ""  # HCR02
    reason: str = ""
    approved: int = 0
    used: int = 0  # within what it approved
    over: int = 0  # charged beyond what it approved: not covered
    partial: bool = False  # fewer than asked, or a shorter span

    @property
    def remaining(self) -> int:
        return max(self.approved - self.used, 0) if self.status == "approved" else 0

    def covers(self, code: str, day: date) -> bool:
        return self.status == "approved" and code in self.codes and self.start <= day <= self.end


def decided(line: Line, service: ServiceDecision) -> Line:
    """The line as the payer decided it. Certified: what the service approved, in its unit and span (an approved
    0 is 0). Certified with no quantity at the service or the event: what was asked only when certified in total
    (A1, the guide's "as requested"); in part or modified without saying how much, a person must ask the payer
    (`contact`), as for CT, an action we do not know, or a quantity in something we do not count (days)."""
    if not service.certified:
        status = STATUS_OF[service.outcome]
        return replace(line, status=status, action=service.action, reason=service.reason or service.action or "HCR")
    unit = QUANTITY_UNITS.get(service.quantity_kind) if service.quantity_kind else line.unit
    if unit is None:
        return _contact(line, service, f"HSD01 {service.quantity_kind}")
    if service.quantity is None and service.action != IN_TOTAL:
        return _contact(line, service, "no quantity")
    approved = line.requested if service.quantity is None else service.quantity
    start, end = service.start or line.start, service.end or line.end
    partial = service.action != IN_TOTAL or approved < line.requested or start > line.start or end < line.end
    return replace(
        line,
        status="approved",
        action=service.action,
        number=service.authorization_number,
        reason=service.reason,
        approved=approved,
        unit=unit,
        start=start,
        end=end,
        partial=partial,
    )


def _contact(line: Line, service: ServiceDecision, reason: str) -> Line:
    return replace(line, status="contact", action=service.action, number=service.authorization_number, reason=reason)


def decide_lines(lines: Sequence[Line], decision: ReviewDecision) -> list[Line]:
    """Every open line decided by the response; lines decided already stay as they are. Codes certified out of the
    event's quantity share it: they become one line (whatever lines they were asked in) asking what those lines
    asked. Otherwise a code with its own certified quantity is a line of its own, and codes decided alike in a line
    stay together."""
    found: list[Line | _Group] = []
    groups: dict[Hashable, _Group] = {}
    for index, line in enumerate(lines):
        if line.status not in OPEN:
            found.append(line)
            continue
        for code in line.codes:
            service = decision.for_code(code)
            group = groups.get(key := _key(index, service))
            if group is None:
                group = groups[key] = _Group(line)
                found.append(group)
            group.take(index, line, service)
    return [item if isinstance(item, Line) else item.decided() for item in found]


def _key(index: int, service: ServiceDecision) -> Hashable:
    if service.certified and service.quantity_of_event:
        return ("shared", service.authorization_number)
    if service.certified:
        return ("own", index, service.code)
    return ("alike", index, replace(service, code="", modifiers=()))


@dataclass
class _Group:
    first: Line
    codes: list[str] = field(default_factory=list)
    services: list[ServiceDecision] = field(default_factory=list)
    asked: dict[int, int] = field(default_factory=dict)  # line index -> what it asked

    def take(self, index: int, line: Line, service: ServiceDecision) -> None:
        self.codes.append(service.code)
        self.services.append(service)
        self.asked[index] = line.requested

    def decided(self) -> Line:
        """Decided as its services were (the first not certified in total, when they differ)."""
        service = next((s for s in self.services if s.action != IN_TOTAL), self.services[0])
        line = replace(self.first, codes=tuple(self.codes), requested=sum(self.asked.values()))
        return decided(line, service)


@dataclass(frozen=True)
class Draw:
    """What one captured charge takes of one line: `used` within what it approved, `over` beyond it."""

    authorization: int  # its index in the covering authorizations
    line: int
    used: int
    over: int
    codes: tuple[str, ...]  # the charge's codes that drew on it
    over_codes: tuple[str, ...] = ()  # those of them that went over


def allocate(covering: Sequence[Sequence[Line]], charges: Sequence[tuple[str, int]], day: date) -> list[Draw]:
    """Which lines each charge line (code, units) draws on, and how much: the first covering line with some left
    (the authorizations come soonest ending first), then the next; what none has left goes over on the first that
    covers it, never silently dropped. A visit counts once per line however many charge lines draw on it."""
    tally = _Tally()
    for code, units in charges:
        keys = [(i, j) for i, lines in enumerate(covering) for j, line in enumerate(lines) if line.covers(code, day)]
        unit = covering[keys[0][0]][keys[0][1]].unit if keys else "units"
        keys = [(i, j) for i, j in keys if covering[i][j].unit == unit]
        seen = next((key for key in keys if key in tally.taken), None) if unit == "visits" else None
        if seen is not None:  # a visit this line counted already
            tally.add(seen, code)
            continue
        if not keys:
            continue
        left = 1 if unit == "visits" else units
        for key in keys:
            take = min(left, covering[key[0]][key[1]].remaining - tally.used(key))
            if take > 0:
                tally.add(key, code, used=take)
                left -= take
        if left:
            tally.add(keys[0], code, over=left)
    return tally.draws()


@dataclass
class _Tally:
    taken: dict[tuple[int, int], list[int]] = field(default_factory=dict)  # (authorization, line) -> [used, over]
    codes: dict[tuple[int, int], list[str]] = field(default_factory=dict)
    over_codes: dict[tuple[int, int], list[str]] = field(default_factory=dict)

    def used(self, key: tuple[int, int]) -> int:
        return self.taken.get(key, [0, 0])[0]

    def add(self, key: tuple[int, int], code: str, *, used: int = 0, over: int = 0) -> None:
        got = self.taken.setdefault(key, [0, 0])
        got[0], got[1] = got[0] + used, got[1] + over
        self.codes.setdefault(key, []).append(code)
        if over:
            self.over_codes.setdefault(key, []).append(code)

    def draws(self) -> list[Draw]:
        return [
            Draw(i, j, used, over, _once(self.codes[(i, j)]), _once(self.over_codes.get((i, j), [])))
            for (i, j), (used, over) in sorted(self.taken.items())
        ]


def _once(codes: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(codes))
