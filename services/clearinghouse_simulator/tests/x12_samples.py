"""837P interchanges for the simulator's tests, built the way a submitter would (validated with pyx12 below).

Test support only: claimstream's own 837P generator belongs to claim submission.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from claimstream_platform.x12 import FunctionalGroup, Interchange, Segment, Transaction, amount, write_interchange
from claimstream_platform.x12.eligibility_model import Party
from claimstream_platform.x12.review import transaction_278_request
from claimstream_platform.x12.review_model import ReviewRequest

BILLING_NPI = "1679576722"
RENDERING_NPI = "1245319599"


@dataclass
class SampleLine:
    code: str = "90834"
    modifiers: tuple[str, ...] = ()
    charge: Decimal = Decimal("120.00")
    units: int = 1
    pointers: tuple[int, ...] = (1,)


@dataclass
class SampleClaim:
    pcn: str = "PCN0001"
    payer_id: str = "SIMMCR"
    payer_name: str = "SIMULATED MEDICARE"
    member_id: str = "1EG4TE5MK73"
    filing: str = "MB"
    place_of_service: str = "11"
    frequency: str = "1"
    service_date: date = date(2026, 3, 2)
    diagnoses: tuple[str, ...] = ("F331",)
    lines: list[SampleLine] = field(default_factory=lambda: [SampleLine()])
    rendering_taxonomy: str = "1041C0700X"
    billing_npi: str = BILLING_NPI
    prior_authorization: str = ""
    original_reference: str = ""
    patient_first: str = "JANE"
    patient_last: str = "DOE"
    rendering_npi: str = RENDERING_NPI

    @property
    def total(self) -> Decimal:
        return sum((line.charge for line in self.lines), Decimal(0))


def _clm(claim: SampleClaim) -> Segment:
    facility = (claim.place_of_service, "B", claim.frequency)
    return Segment.of("CLM", claim.pcn, amount(claim.total), "", "", facility, "Y", "A", "Y", "Y")


def claim_segments(claim: SampleClaim, hl: int) -> list[Segment]:
    day = f"{claim.service_date:%Y%m%d}"
    segments = [
        Segment.of("HL", hl, 1, "22", 0),
        Segment.of("SBR", "P", "18", "", "", "", "", "", "", claim.filing),
        Segment.of("NM1", "IL", "1", claim.patient_last, claim.patient_first, "", "", "", "MI", claim.member_id),
        Segment.of("N3", "1 ELM ST"),
        Segment.of("N4", "PORTLAND", "OR", "97201"),
        Segment.of("DMG", "D8", "19700131", "F"),
        Segment.of("NM1", "PR", "2", claim.payer_name, "", "", "", "", "PI", claim.payer_id),
        _clm(claim),
    ]
    if claim.original_reference:
        segments.append(Segment.of("REF", "F8", claim.original_reference))
    if claim.prior_authorization:
        segments.append(Segment.of("REF", "G1", claim.prior_authorization))
    segments.append(Segment.of("HI", *[("ABK" if i == 0 else "ABF", code) for i, code in enumerate(claim.diagnoses)]))
    segments += [
        Segment.of("NM1", "82", "1", "OKAFOR", "BEN", "", "", "", "XX", claim.rendering_npi),
        Segment.of("PRV", "PE", "PXC", claim.rendering_taxonomy),
    ]
    for number, line in enumerate(claim.lines, start=1):
        composite = ("HC", line.code, *line.modifiers)
        segments += [
            Segment.of("LX", number),
            Segment.of("SV1", composite, amount(line.charge), "UN", line.units, "", "", tuple(line.pointers)),
            Segment.of("DTP", "472", "D8", day),
            Segment.of("REF", "6R", f"{claim.pcn}L{number}"),
        ]
    return segments


def make_837(claims: list[SampleClaim], *, control: str = "101", submitter: str = "SUBMITTER1") -> str:
    body = [
        Segment.of("BHT", "0019", "00", f"B{control}", "20260305", "1200", "CH"),
        Segment.of("NM1", "41", "2", "DEMO BILLING", "", "", "", "", "46", submitter),
        Segment.of("PER", "IC", "BILLING DESK", "TE", "5035550100"),
        Segment.of("NM1", "40", "2", "CLAIMSTREAM CLEARINGHOUSE SIMULATOR", "", "", "", "", "46", "CLAIMSTREAMSIM"),
        Segment.of("HL", 1, "", "20", 1),
        Segment.of("PRV", "BI", "PXC", "261QM0801X"),
        Segment.of("NM1", "85", "2", "HARBOR COUNSELING", "", "", "", "", "XX", claims[0].billing_npi),
        Segment.of("N3", "100 MAIN ST"),
        Segment.of("N4", "PORTLAND", "OR", "972011234"),
        Segment.of("REF", "EI", "987654321"),
    ]
    for index, claim in enumerate(claims):
        body += claim_segments(claim, index + 2)
    interchange = Interchange(
        sender_qualifier="ZZ",
        sender_id=submitter,
        receiver_qualifier="ZZ",
        receiver_id="CLAIMSTREAMSIM",
        control_number=control,
        groups=[
            FunctionalGroup(
                "HC",
                submitter,
                "CLAIMSTREAMSIM",
                control,
                "005010X222A1",
                [Transaction("837", "0001", "005010X222A1", body)],
            )
        ],
        usage="T",
    )
    return write_interchange(interchange, now=datetime(2026, 3, 5, 12, 0))


def balance_problems(text: str) -> list[str]:
    """Reads an 835 back from its text and checks every balancing rule; empty when all hold to the cent."""
    from claimstream_platform.x12 import parse_interchange

    problems = []
    for group in parse_interchange(text).groups:
        for transaction in group.transactions:
            payment, provider_adjustments = Decimal(0), Decimal(0)
            claims: list[dict[str, Decimal]] = []  # charge, paid, adjusted
            lines: list[dict[str, Decimal]] = []
            for segment in transaction.segments:
                if segment.tag == "BPR":
                    payment = Decimal(segment.get(2))
                elif segment.tag == "CLP":
                    claims.append(
                        {"charge": Decimal(segment.get(3)), "paid": Decimal(segment.get(4)), "adjusted": Decimal(0)}
                    )
                elif segment.tag == "SVC":
                    lines.append(
                        {"charge": Decimal(segment.get(2)), "paid": Decimal(segment.get(3)), "adjusted": Decimal(0)}
                    )
                elif segment.tag == "CAS":
                    total = sum(Decimal(segment.get(i)) for i in range(3, 19, 3) if segment.get(i))
                    claims[-1]["adjusted"] += total
                    if lines and lines[-1].get("claim") == len(claims):
                        lines[-1]["adjusted"] += total
                elif segment.tag == "PLB":
                    provider_adjustments += sum(Decimal(segment.get(i)) for i in range(4, 15, 2) if segment.get(i))
                if segment.tag == "SVC":
                    lines[-1]["claim"] = Decimal(len(claims))
            for kind, items in (("claim", claims), ("service line", lines)):
                for item in items:
                    if item["charge"] - item["adjusted"] != item["paid"]:
                        problems.append(f"{kind}: {item['charge']} - {item['adjusted']} != {item['paid']}")
            if payment != sum((c["paid"] for c in claims), Decimal(0)) - provider_adjustments:
                problems.append(f"BPR02 {payment} != the claims' payments less PLB {provider_adjustments}")
    return problems


def make_inquiry(
    set_id: str,
    members: list[str],
    *,
    payer_id: str = "SIMMCD",
    control: str = "301",
    codes: tuple[str, ...] = ("96130",),
) -> str:
    """A 270 eligibility inquiry (service type MH) or a 278 review request for `codes`, one subscriber each."""
    if set_id == "278":  # one request for review per transaction, as our own writer makes them
        asked = [review_request(member, f"T{control}{n}", payer_id, codes) for n, member in enumerate(members)]
        reviews = [
            transaction_278_request(request, f"{n:04d}", created=datetime(2026, 11, 27, 10, 0))
            for n, request in enumerate(asked, start=1)
        ]
        return _interchange("HI", "005010X217", control, reviews)
    body = [Segment.of("BHT", "0022", "13", f"R{control}", "20261127", "1000")]
    for n, member in enumerate(members):
        hl = 3 * n + 3
        body += [
            Segment.of("HL", hl - 2, "", "20", 1),
            Segment.of("NM1", "PR", "2", "PAYER", "", "", "", "", "PI", payer_id),
            Segment.of("HL", hl - 1, hl - 2, "21", 1),
            Segment.of("NM1", "1P", "2", "HARBOR COUNSELING", "", "", "", "", "XX", BILLING_NPI),
            Segment.of("HL", hl, hl - 1, "22", 0),
            Segment.of("TRN", "1", f"T{control}{n}", "9CLAIMSTRM"),
            Segment.of("NM1", "IL", "1", "DOE", "JANE", "", "", "", "MI", member),
            Segment.of("DMG", "D8", "19700131"),
            Segment.of("DTP", "291", "D8", "20261127"),
            Segment.of("EQ", "MH"),
        ]
    return _interchange("HS", "005010X279A1", control, [Transaction("270", "0001", "005010X279A1", body)])


def _interchange(functional_id: str, version: str, control: str, transactions: list[Transaction]) -> str:
    interchange = Interchange(
        "ZZ",
        "SUBMITTER1",
        "ZZ",
        "CLAIMSTREAMSIM",
        control,
        [FunctionalGroup(functional_id, "SUBMITTER1", "CLAIMSTREAMSIM", control, version, transactions)],
        usage="T",
    )
    return write_interchange(interchange, now=datetime(2026, 11, 27, 10, 0))


def review_request(
    member: str, trace: str, payer_id: str = "SIMMCD", codes: tuple[str, ...] = ("96130",), quantity: int = 4
) -> ReviewRequest:
    return ReviewRequest(
        payer=Party("X3", "2", "PAYER", id_qualifier="PI", identifier=payer_id),
        requester=Party("1P", "2", "HARBOR COUNSELING", id_qualifier="XX", identifier=BILLING_NPI),
        subscriber=Party("IL", "1", "DOE", "JANE", "MI", member),
        trace=trace,
        originator="9CLAIMSTRM",
        codes=codes,
        quantity=quantity,
        start=date(2026, 11, 27),
        end=date(2027, 2, 27),
    )
