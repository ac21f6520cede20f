"""A carve-out: the 271 says another company runs the plan's mental-health benefits (EB U contact, or R other
payer, with a 2120C entity). Routed to a payer id only when the 271 gives one (NM108 PI) or when the platform's
payer facts know the administrator (claimstream_platform.payers.administrators, by the entity's id or its name,
from a date of service); otherwise the carve-out is reported for a person to route: a payer id is never guessed
from an NPI, a tax id or a name."""

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from claimstream_platform.payers import administrators
from claimstream_platform.x12.eligibility_model import Benefit, Party

from eligibility.mental_health import MENTAL_HEALTH


@dataclass(frozen=True)
class CarveOut:
    name: str  # the administrator as the 271 names it
    payer_id: str | None  # whom to bill, when known (NM108 PI, or the map); None: a person routes it
    named_as: str  # how the 271 names it, for that person: "NAME (XX 1234567893)"


@dataclass(frozen=True)
class _Mapping:
    payer_id: str
    names: frozenset[str]
    ids: frozenset[tuple[str, str]]  # (NM108 qualifier, NM109)
    since: date


def carve_out(benefits: tuple[Benefit, ...], served: date | None = None) -> CarveOut | None:
    """The first mental-health EB U or R that names an entity (2120C), routed as the module says."""
    for b in benefits:
        if b.information in ("U", "R") and b.contacts and set(b.service_types) & MENTAL_HEALTH:
            party = b.contacts[0].party
            named_as = f"{party.last_or_name} ({party.id_qualifier} {party.identifier})" if party.identifier else ""
            return CarveOut(party.last_or_name, route(party, served), named_as or party.last_or_name)
    return None


def route(party: Party, served: date | None) -> str | None:
    """The payer id to bill the entity under: its own NM109 when NM108 says it is a payer id (PI); else the map's,
    by (qualifier, id) or by name, for the date of service; else None."""
    if party.id_qualifier == "PI" and party.identifier:
        return party.identifier
    name = _normal(party.last_or_name)
    for mapping in _mappings():  # the newest first: a later row takes over from its date
        if served is not None and served < mapping.since:
            continue
        if (party.id_qualifier, party.identifier) in mapping.ids or (name and name in mapping.names):
            return mapping.payer_id
    return None


def _normal(name: str) -> str:
    return re.sub(r"\s+", " ", name).strip().upper()


@lru_cache(maxsize=1)
def _mappings() -> tuple[_Mapping, ...]:
    """The platform's administrators (newest first), their names as `_normal` compares them."""
    return tuple(
        _Mapping(a.payer_id, frozenset(_normal(name) for name in a.names), a.ids, a.since) for a in administrators()
    )
