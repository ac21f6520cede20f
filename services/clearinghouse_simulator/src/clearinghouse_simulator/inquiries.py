"""Eligibility (270 -> 271, 005010X279A1); the 278 requests for review are answered in reviews.py.

Pure: the payer answers from its profile and the member's roster entry. pyx12 has only 4010 maps for these
transactions, so their structure is checked by our own tests (docs/domain/x12.md §2).

271 benefits for mental health (service types 30 plan, MH mental health, A6 psychotherapy, A8 outpatient
psychiatric): active coverage (EB01 1) or inactive (6), co-payment (B) per visit, co-insurance (A), the plan's
deductible (C) and out-of-pocket maximum (G) for the individual and the family with the year's amount, what was
used and what is left, visits allowed, used and left (F, or HSD, or MSG text), and whether authorization is
required (EB11 Y). A member the payer does not know gets AAA*N**75*C (subscriber not found).
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from claimstream_platform.dates import business_date
from claimstream_platform.x12 import Segment, Transaction, amount

from clearinghouse_simulator.outbound import Envelope, interchange
from clearinghouse_simulator.payers import PayerProfile
from clearinghouse_simulator.results import Member

MENTAL_HEALTH_TYPES = ("MH", "A6", "A8")
ELIGIBILITY = "005010X279A1"


@dataclass(frozen=True)
class Inquiry:
    trace: str  # TRN02 of the request: echoed so the requester can match the answer
    originator: str  # TRN03 of the request (the requester's company id): echoed with it
    payer_id: str
    provider_name: str
    provider_npi: str
    member_id: str
    last_name: str
    first_name: str
    birth_date: str
    on: date


def read_inquiries(transaction: Transaction) -> list[Inquiry]:
    """The subscriber-level requests of a 270 (one per HL 22)."""
    reader = _InquiryReader()
    for segment in transaction.segments:
        reader.take(segment)
    reader.close()
    return reader.inquiries


class _InquiryReader:
    def __init__(self) -> None:
        self.inquiries: list[Inquiry] = []
        self.payer_id = self.provider_name = self.provider_npi = ""
        self.current: dict[str, str] = {}

    def take(self, segment: Segment) -> None:
        tag, current = segment.tag, self.current
        if tag == "HL" and segment.get(3) == "22":
            self.close()
            self.current = {"level": "22"}
        elif tag == "NM1" and segment.get(1) == "PR":
            self.payer_id = segment.get(9)
        elif tag == "NM1" and segment.get(1) in ("1P", "FA", "SJ"):
            self.provider_name, self.provider_npi = segment.get(3), segment.get(9)
        elif not current:
            return
        elif tag == "TRN":
            current.update(trace=segment.get(2), originator=segment.get(3))
        elif tag == "NM1" and segment.get(1) == "IL":
            current.update(last=segment.get(3), first=segment.get(4), member=segment.get(9))
        elif tag == "DMG":
            current["dob"] = segment.get(2)
        elif tag == "DTP" and segment.get(1) in ("291", "472"):
            current["on"] = segment.get(3).split("-")[0]

    def close(self) -> None:
        current = self.current
        if current:
            self.inquiries.append(
                Inquiry(
                    trace=current.get("trace", ""),
                    originator=current.get("originator", ""),
                    payer_id=self.payer_id,
                    provider_name=self.provider_name,
                    provider_npi=self.provider_npi,
                    member_id=current.get("member", ""),
                    last_name=current.get("last", ""),
                    first_name=current.get("first", ""),
                    birth_date=current.get("dob", ""),
                    on=_date(current.get("on", "")) or business_date(),
                )
            )
            self.current = {}


def build_271(
    inquiries: Sequence[Inquiry],
    *,
    payer: PayerProfile | None,
    member: Callable[[str, str], Member | None],
    envelope: Envelope,
) -> str:
    day = envelope.now.strftime("%Y%m%d")
    body: list[Segment] = [
        Segment.of("BHT", "0022", "11", envelope.interchange_control, day, envelope.now.strftime("%H%M"))
    ]
    hl = 0
    for inquiry in inquiries:
        hl += 3
        found = member(inquiry.payer_id, inquiry.member_id) if payer else None
        body += [
            Segment.of("HL", hl - 2, "", "20", 1),
            Segment.of("NM1", "PR", "2", _name(payer), "", "", "", "", "PI", inquiry.payer_id),
            *([] if payer else [Segment.of("AAA", "N", "", "79", "C")]),  # invalid participant: no such payer
            Segment.of("HL", hl - 1, hl - 2, "21", 1),
            Segment.of("NM1", "1P", "2", inquiry.provider_name, "", "", "", "", "XX", inquiry.provider_npi),
            Segment.of("HL", hl, hl - 1, "22", 0),
            Segment.of("TRN", "2", inquiry.trace, inquiry.originator),
            Segment.of("NM1", "IL", "1", inquiry.last_name, inquiry.first_name, "", "", "", "MI", inquiry.member_id),
        ]
        if payer is None:
            continue
        refusal = _refusal(inquiry, found)
        if refusal is not None:
            body.append(refusal)
            continue
        assert found is not None
        body += _benefits(inquiry, payer, found)
    return interchange("HB", "271", ELIGIBILITY, body, envelope)


def _refusal(inquiry: Inquiry, found: Member | None) -> Segment | None:
    """The AAA cases: a member id of the wrong form (72, correct it), a payer system briefly down for member ids
    that ask for it (42, resubmit: a simulated outage), a member the payer does not know (75)."""
    member = inquiry.member_id.upper()
    if len(member) < 6 or not member.isalnum():
        return Segment.of("AAA", "N", "", "72", "C")  # invalid/missing subscriber/insured id
    if member.startswith("RETRY"):
        return Segment.of("AAA", "N", "", "42", "R")  # unable to respond at current time
    if found is None:
        return Segment.of("AAA", "N", "", "75", "C")  # subscriber/insured not found
    return None


def _benefits(inquiry: Inquiry, payer: PayerProfile, member: Member) -> list[Segment]:
    active = member.covered_on(inquiry.on)
    segments = [
        Segment.of("DMG", "D8", inquiry.birth_date),
        Segment.of("DTP", "346", "D8", f"{member.coverage_start:%Y%m%d}"),
        Segment.of("EB", "1" if active else "6", "IND", "30", payer.claim_filing_indicator, payer.name.upper()),
    ]
    if not active:
        return segments
    if payer.mental_health_administrator is not None:
        return segments + _carved_out(payer.mental_health_administrator)
    segments += _accumulators(payer, member)
    for service_type in MENTAL_HEALTH_TYPES:
        segments += _cost_sharing(service_type, payer, member)
    return segments


def _accumulators(payer: PayerProfile, member: Member) -> list[Segment]:
    """The plan's deductible (EB C) and out-of-pocket maximums (EB G), individual and family, each with its
    calendar-year amount (EB06 23), what was used this year (24) and what is left (29). The simulator counts what
    members pay toward the deductible only, so that is what their out-of-pocket has used; a family's is the
    member's own plus what the plan's data says the rest of the household has met."""
    plan, used = payer.cost_sharing, member.deductible_met
    household = used + plan.household_met
    stated = [
        ("C", "IND", member.deductible, used),
        ("C", "FAM", plan.family_deductible, household),
        ("G", "IND", plan.out_of_pocket, used),
        ("G", "FAM", plan.family_out_of_pocket, household),
    ]
    segments = []
    for kind, level, limit, met in stated:
        if limit is None:
            continue
        segments += [
            Segment.of("EB", kind, level, "30", "", "", "23", amount(limit)),
            Segment.of("EB", kind, level, "30", "", "", "24", amount(met)),
            Segment.of("EB", kind, level, "30", "", "", "29", amount(max(limit - met, Decimal(0)))),
        ]
    return segments


def _cost_sharing(service_type: str, payer: PayerProfile, member: Member) -> list[Segment]:
    authorization = "Y" if payer.prior_auth_codes else "N"
    segments = [
        # EB11: authorization or certification required for this service type
        Segment.of("EB", "1", "IND", service_type, "", "", "", "", "", "", "", authorization),
        Segment.of("EB", "B", "IND", service_type, "", "", "27", amount(member.copay)),
        Segment.of("EB", "A", "IND", service_type, "", "", "27", "", amount(member.coinsurance)),
    ]
    return segments + _visit_limit(service_type, payer, member)


def _visit_limit(service_type: str, payer: PayerProfile, member: Member) -> list[Segment]:
    """The visits a calendar year allows, used and left: in EB F (EB06 23, 24, 29), in HSD segments after an EB F
    (HSD05 23 and 24: the remainder left to the reader), or only in MSG free text, as the payer's data says."""
    limit, used = payer.visit_limit_per_year, member.visits_used
    left = max(limit - used, 0)
    if not limit:
        return []
    if payer.visit_limit_in_text:  # only in free text, as some payers do
        return [
            Segment.of("MSG", f"OUTPATIENT THERAPY LIMITED TO {limit} VISITS PER CALENDAR YEAR"),
            Segment.of("MSG", f"{left} VISITS REMAIN THIS YEAR"),
        ]
    if payer.visit_limit_in_hsd:
        return [
            Segment.of("EB", "F", "IND", service_type),
            Segment.of("HSD", "VS", limit, "", "", "23"),
            Segment.of("HSD", "VS", used, "", "", "24"),
        ]
    return [
        Segment.of("EB", "F", "IND", service_type, "", "", period, "", "", "VS", count)
        for period, count in (("23", limit), ("24", used), ("29", left))
    ]


def _carved_out(administrator: tuple[str, str, str]) -> list[Segment]:
    """Mental health is not this plan's to answer: EB U (contact the entity) names the administrator (2120C)."""
    payer_id, name, phone = administrator
    return [
        Segment.of("EB", "U", "IND", "MH"),
        Segment.of("MSG", f"BEHAVIORAL HEALTH BENEFITS ADMINISTERED BY {name.upper()}"),
        Segment.of("LS", "2120"),
        Segment.of("NM1", "PR", "2", name.upper(), "", "", "", "", "PI", payer_id),
        *([Segment.of("PER", "IC", "", "TE", phone)] if phone else []),
        Segment.of("LE", "2120"),
    ]


def _name(payer: PayerProfile | None) -> str:
    return payer.name.upper() if payer else "UNKNOWN PAYER"


def _date(value: str) -> date | None:
    if len(value) == 8 and value.isdigit():
        try:
            return date(int(value[:4]), int(value[4:6]), int(value[6:]))
        except ValueError:
            return None
    return None
