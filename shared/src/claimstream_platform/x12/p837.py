"""Reading 837P (005010X222A1) transaction sets into claims, with the structural errors a 999 reports.

Shared X12 library code: the clearinghouse simulator reads what it receives with it, claim submission reads
back what it writes.

The reader walks the HL hierarchy (20 billing provider, 22 subscriber, 23 patient) and the claim (CLM) and
service line (LX/SV1) loops. It checks what a front end checks before anything is adjudicated: required
segments and elements, numbers and dates that parse. Business edits (members, NPIs, diagnoses) come after.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from claimstream_platform.x12 import Delimiters, Segment, Transaction
from claimstream_platform.x12.p837_cob import CobReading
from claimstream_platform.x12.p837_model import (
    Claim,
    ElementError,
    Line,
    Person,
    SegmentError,
    TransactionReading,
    assemble_claim,
    parse_date,
    parse_decimal,
)

__all__ = [
    "IMPLEMENTATION",
    "Claim",
    "ElementError",
    "Line",
    "Person",
    "SegmentError",
    "TransactionReading",
    "read_837",
]

IMPLEMENTATION = "005010X222A1"
KNOWN_SEGMENTS = frozenset(
    "BHT NM1 PER N3 N4 REF HL PRV SBR PAT DMG CLM DTP PWK CN1 AMT K3 NTE CR1 CR2 CR3 CRC HI HCP LX SV1 SV5 QTY MEA PS1 "
    "LIN CTP SVD CAS OI MOA LQ FRM MIA".split()
)


@dataclass
class _Context:
    billing: dict[str, str] = field(default_factory=dict)
    subscriber: dict[str, str] = field(default_factory=dict)
    patient: dict[str, str] | None = None
    level: str = ""  # 20, 22, 23


def read_837(transaction: Transaction, delimiters: Delimiters) -> TransactionReading:
    reader = _Reader(transaction, delimiters)
    reader.run()
    return TransactionReading(reader.claims if not reader.errors else [], reader.errors)


class _Reader(CobReading):
    def __init__(self, transaction: Transaction, delimiters: Delimiters) -> None:
        self.transaction = transaction
        self.d = delimiters
        self.claims: list[Claim] = []
        self.errors: list[SegmentError] = []
        self.context = _Context()
        self.claim: dict[str, object] | None = None
        self.lines: list[dict[str, object]] = []
        self.loop = "HEADER"

    def error(self, segment: Segment, index: int, code: str, *elements: ElementError) -> None:
        self.errors.append(SegmentError(segment.tag, index, self.loop, code, list(elements)))

    def run(self) -> None:
        segments = self.transaction.segments
        if not segments or segments[0].tag != "BHT":
            self.errors.append(SegmentError("BHT", 2, "HEADER", "3"))
        for offset, segment in enumerate(segments):
            index = offset + 2  # ST is segment 1
            if segment.tag not in KNOWN_SEGMENTS:
                self.error(segment, index, "1")
                continue
            handler = getattr(self, f"_{segment.tag.lower()}", None)
            if handler is not None:
                handler(segment, index)
        self._close_claim(len(segments) + 2)
        if not self.claims and not self.errors:
            self.errors.append(SegmentError("CLM", len(segments) + 2, "2300", "3"))

    # --- hierarchy ---

    def _hl(self, segment: Segment, index: int) -> None:
        self._close_claim(index)
        level = segment.get(3)
        if level not in ("20", "22", "23"):
            self.error(segment, index, "8", ElementError("3", "735", "7"))
            return
        self.context.level = level
        self.loop = {"20": "2000A", "22": "2000B", "23": "2000C"}[level]
        if level == "20":
            self.context = _Context(level="20")
        elif level == "22":
            self.context.subscriber, self.context.patient = {}, None
        else:
            self.context.patient = {}

    def _prv(self, segment: Segment, index: int) -> None:
        if segment.get(1) == "BI":
            self.context.billing["taxonomy"] = segment.get(3)
        elif segment.get(1) == "PE" and self.claim is not None:
            self.claim["rendering_taxonomy"] = segment.get(3)

    def _nm1(self, segment: Segment, index: int) -> None:
        entity = segment.get(1)
        # Inside a claim (2300 and below) an NM1 names other parties (other payers and their subscribers in
        # 2330, referring providers): only the provider, subscriber and payer loops before the claim count here.
        if self.claim is not None and entity in ("IL", "PR") and self.claim.get("other_payers"):
            self.loop = "2330A" if entity == "IL" else "2330B"
            self._others()[-1]["member_id" if entity == "IL" else "payer_id"] = segment.get(9)
            return
        if self.claim is not None and entity not in ("82", "DQ"):
            return
        if entity == "85" and self.context.level == "20":
            self.loop = "2010AA"
            if not segment.get(9):
                self.error(segment, index, "8", ElementError("9", "67", "1"))
            self.context.billing.update(name=segment.get(3), npi=segment.get(9))
        elif entity == "IL":
            self.loop = "2010BA"
            if not segment.get(9):
                self.error(segment, index, "8", ElementError("9", "67", "1"))
            self.context.subscriber.update(last=segment.get(3), first=segment.get(4), member=segment.get(9))
        elif entity == "PR":
            self.loop = "2010BB"
            self.context.subscriber.update(payer_name=segment.get(3), payer_id=segment.get(9))
        elif entity == "QC" and self.context.patient is not None:
            self.loop = "2010CA"
            self.context.patient.update(last=segment.get(3), first=segment.get(4))
        elif entity == "82" and self.claim is not None:
            self.loop = "2310B"
            self.claim["rendering_npi"] = segment.get(9)
        elif entity == "DQ" and self.claim is not None:
            self.loop = "2310D"
            self.claim["supervising_npi"] = segment.get(9)

    def _ref(self, segment: Segment, index: int) -> None:
        qualifier, value = segment.get(1), segment.get(2)
        if qualifier == "EI" and self.context.level == "20":
            self.context.billing["tin"] = value
        elif self.lines and qualifier == "6R":
            self.lines[-1]["control_number"] = value
        elif self.lines and qualifier == "G1":
            self.lines[-1]["prior_authorization"] = value
        elif self.claim is not None and qualifier == "G1":
            self.claim["prior_authorization"] = value
        elif self.claim is not None and qualifier == "F8" and not self.claim.get("other_payers"):
            self.claim["original_reference"] = value

    def _pat(self, segment: Segment, index: int) -> None:
        if self.context.patient is not None:
            self.context.patient["relationship"] = segment.get(1)

    def _dmg(self, segment: Segment, index: int) -> None:
        target = (
            self.context.patient
            if self.context.level == "23" and self.context.patient is not None
            else self.context.subscriber
        )
        born = parse_date(segment.get(2))
        if segment.get(2) and born is None:
            self.error(segment, index, "8", ElementError("2", "1251", "8"))
        target.update(dob=segment.get(2), sex=segment.get(3))

    # --- claim and lines ---

    def _clm(self, segment: Segment, index: int) -> None:
        self._close_claim(index)
        self.loop = "2300"
        problems = []
        if not segment.get(1):
            problems.append(ElementError("1", "1028", "1"))
        total = parse_decimal(segment.get(2))
        if total is None:
            problems.append(ElementError("2", "782", "6" if segment.get(2) else "1"))
        place = segment.component(5, 1, self.d)
        if not place:
            problems.append(ElementError("5:1", "1331", "1"))
        if problems:
            self.error(segment, index, "8", *problems)
        self.claim = {
            "position": index,
            "patient_control_number": segment.get(1),
            "total_charge": total or Decimal(0),
            "place_of_service": place,
            "frequency": segment.component(5, 3, self.d, "1"),
            "diagnoses": [],
        }
        self.lines = []

    def _hi(self, segment: Segment, index: int) -> None:
        if self.claim is None:
            return
        codes = [element.split(self.d.component) for element in segment.elements if element]
        if not codes or codes[0][0] not in ("ABK", "BK"):
            self.error(segment, index, "8", ElementError("1:1", "1270", "7"))
        diagnoses = self.claim["diagnoses"]
        assert isinstance(diagnoses, list)
        diagnoses.extend(parts[1] for parts in codes if len(parts) > 1 and parts[0] in ("ABK", "ABF", "BK", "BF"))

    def _lx(self, segment: Segment, index: int) -> None:
        self.loop = "2400"

    def _sv1(self, segment: Segment, index: int) -> None:
        if self.claim is None:
            self.error(segment, index, "2")
            return
        parts = segment.get(1).split(self.d.component)
        problems = []
        if len(parts) < 2 or parts[0] not in ("HC", "ER", "WK") or not parts[1]:
            problems.append(ElementError("1:2", "234", "1"))
        charge, units = parse_decimal(segment.get(2)), parse_decimal(segment.get(4))
        if charge is None:
            problems.append(ElementError("2", "782", "6" if segment.get(2) else "1"))
        if units is None:
            problems.append(ElementError("4", "380", "6" if segment.get(4) else "1"))
        pointers = [p for p in segment.get(7).split(self.d.component) if p]
        if not pointers or not all(p.isdigit() for p in pointers):
            problems.append(ElementError("7:1", "1328", "1" if not pointers else "6"))
        if problems:
            self.error(segment, index, "8", *problems)
        self.lines.append(
            {
                "number": len(self.lines) + 1,
                "code": parts[1] if len(parts) > 1 else "",
                "modifiers": [m for m in parts[2:6] if m],
                "charge": charge or Decimal(0),
                "units": units or Decimal(0),
                "place_of_service": segment.get(5) or None,
                "pointers": [int(p) for p in pointers if p.isdigit()],
            }
        )

    def _dtp(self, segment: Segment, index: int) -> None:
        if segment.get(1) != "472" or not self.lines:
            return
        value = segment.get(3).split("-")[0]
        served = parse_date(value)
        if served is None:
            self.error(segment, index, "8", ElementError("3", "1251", "8"))
        self.lines[-1]["service_date"] = served

    def _close_claim(self, index: int) -> None:
        if self.claim is None:
            return
        claim, self.claim = self.claim, None
        if not self.lines:
            self.errors.append(SegmentError("LX", index, "2400", "3"))
            return
        if not claim["diagnoses"]:
            self.errors.append(SegmentError("HI", index, "2300", "3"))
            return
        if not self.errors:
            context = self.context
            self.claims.append(
                assemble_claim(
                    claim,
                    self.lines,
                    (context.billing, context.subscriber, context.patient),
                    self.transaction.control_number,
                )
            )
