"""The 835 reader (005010X221A1): an interchange's transaction sets into remittances, every loop the posting
needs. Pure.

Delimiters come from the ISA (the platform's envelope parser); an interchange may hold several groups and
transaction sets (several payers or payees). A malformed 835 raises `X12Error` naming the segment, its
position and the reason, and nothing of it is used. Segments the posting does not need (N3, N4, PER, TS3, TS2,
...) are passed over.
"""

import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

from claimstream_platform.x12 import Delimiters, Interchange, Segment, Transaction, X12Error, parse_interchange
from claimstream_platform.x12.envelope import collector_paused

from remittance_posting.model import (
    Adjustment,
    ClaimPayment,
    ProviderAdjustment,
    Remittance,
    ServicePayment,
    payment_from_json,
    payment_to_json,
)

__all__ = ["Adjustment", "ClaimPayment", "ProviderAdjustment", "Remittance", "ServicePayment", "payment_from_json",
           "payment_to_json", "read_file", "read_remittances"]  # fmt: skip

IMPLEMENTATION = "005010X221A1"


def read_file(text: str) -> list[Remittance]:
    """Every 835 of every interchange in the file (a file may hold several, one after the other)."""
    with collector_paused():
        return [remittance for part in interchanges(text) for remittance in read_remittances(parse_interchange(part))]


def interchanges(text: str) -> list[str]:
    """The file cut before each ISA that follows a segment terminator (the first ISA names the delimiters)."""
    start = text.lstrip("\ufeff \r\n\t")
    if len(start) < 106 or not start.startswith("ISA"):
        return [start]
    terminator, element = re.escape(start[105]), re.escape(start[3])
    cuts = [m.end() for m in re.finditer(f"{terminator}\\s*(?=ISA{element})", start)]
    return [start[a:b] for a, b in zip([0, *cuts], [*cuts, len(start)], strict=True) if start[a:b].strip()]


def read_remittances(interchange: Interchange) -> list[Remittance]:
    """Every 835 in the interchange; X12Error for the first malformed one (then none of the file is used)."""
    found = []
    for group in interchange.groups:
        for transaction in group.transactions:
            if transaction.set_id != "835":
                raise X12Error(f"transaction set {transaction.set_id} is not an 835", position=transaction.position,
                               tag="ST", element=1)  # fmt: skip
            if transaction.trailer_errors:
                raise X12Error("the SE trailer does not close this transaction set (count or control number)",
                               position=transaction.position, tag="ST")  # fmt: skip
            found.append(_Reader(transaction, interchange.delimiters).read())
    if not found:
        raise X12Error("the interchange holds no 835", position=1, tag="ISA")
    return found


class _Reader:
    def __init__(self, transaction: Transaction, delimiters: Delimiters) -> None:
        self.transaction, self.d = transaction, delimiters
        self.remittance: Remittance | None = None
        self.claim: ClaimPayment | None = None
        self.line: ServicePayment | None = None
        self.party = ""  # the N1 loop we are in: PR or PE

    def read(self) -> Remittance:
        segments = iter(self.transaction.segments)
        self._header(next(segments, None), next(segments, None))
        handlers = _HANDLERS
        for segment in segments:  # the hot loop: the dispatch inlined
            handler = handlers.get(segment[0])
            if handler is not None:
                handler(self, segment)
        assert self.remittance is not None
        return self.remittance

    def _header(self, bpr: Segment | None, trn: Segment | None) -> None:
        if bpr is None or bpr.tag != "BPR":
            raise _error(bpr, self.transaction, "an 835 starts with BPR")
        if trn is None or trn.tag != "TRN":
            raise _error(trn or bpr, self.transaction, "BPR is followed by TRN (the reassociation trace)")
        self.remittance = Remittance(
            control_number=self.transaction.control_number, handling=bpr.get(1), total=money(bpr, 2),
            credit=bpr.get(3) != "D", method=bpr.get(4), paid_on=_date(bpr, 16) if bpr.get(16) else None,
            trace_number=_required(trn, 2), trace_originator=trn.get(3), position=bpr.position,
        )  # fmt: skip

    # header loops: 1000A payer, 1000B payee
    def _n1(self, segment: Segment) -> None:
        assert self.remittance is not None
        self.party = segment.get(1)
        if self.party == "PR":
            self.remittance.payer_name, self.remittance.payer_id = segment.get(2), segment.get(4)
        elif self.party == "PE":
            self.remittance.payee_name = segment.get(2)
            if segment.get(3) == "XX":
                self.remittance.payee_npi = segment.get(4)
            elif segment.get(3) == "FI":
                self.remittance.payee_tax_id = segment.get(4)

    def _ref(self, segment: Segment) -> None:
        assert self.remittance is not None
        qualifier = segment.get(1)
        if self.line is not None and qualifier in ("6R", "LU"):
            if qualifier == "6R":
                self.line.control_number = segment.get(2)
        elif self.claim is None and self.party == "PR" and qualifier == "2U" and not self.remittance.payer_id:
            self.remittance.payer_id = segment.get(2)
        elif self.claim is None and self.party == "PE" and qualifier == "TJ":
            self.remittance.payee_tax_id = segment.get(2)

    def _clp(self, segment: Segment) -> None:
        assert self.remittance is not None
        self.line = None
        self.claim = ClaimPayment(
            patient_control_number=_required(segment, 1), status=_required(segment, 2), charge=money(segment, 3),
            paid=money(segment, 4), patient_responsibility=money(segment, 5, optional=True),
            filing_indicator=segment.get(6), payer_claim_number=segment.get(7), frequency=segment.get(9),
            position=segment.position,
        )  # fmt: skip
        self.remittance.claims.append(self.claim)

    def _cas(self, segment: Segment) -> None:
        owner = self.line or self.claim
        if owner is None:
            raise _error(segment, self.transaction, "CAS outside a claim or service line")
        owner.adjustments.extend(adjustments(segment))

    def _nm1(self, segment: Segment) -> None:
        if self.claim is None or self.line is not None:
            return
        entity = segment.get(1)
        if entity in ("QC", "IL") and segment.get(9) and not self.claim.member_id:
            self.claim.member_id = segment.get(9)
        elif entity == "82" and segment.get(8) == "XX":
            self.claim.rendering_npi = segment.get(9)
        elif entity == "TT":
            self.claim.crossover_payer = segment.get(3) or segment.get(9)

    def _remarks(self, segment: Segment) -> None:
        """MOA (professional) and MIA (institutional): the claim's RARCs."""
        if self.claim is not None:
            numbers = range(3, 8) if segment.tag == "MOA" else (5, 20, 21, 22, 23)
            self.claim.remarks.extend(segment.get(n) for n in numbers if segment.get(n))

    def _dtm(self, segment: Segment) -> None:
        qualifier = segment.get(1)
        if self.line is not None and qualifier in ("472", "150"):
            self.line.service_date = _date(segment, 2)
        elif self.claim is not None and self.line is None:
            if qualifier == "050":
                self.claim.received = _date(segment, 2)
            elif qualifier in ("232", "233"):
                start, end = self.claim.period
                self.claim.period = (_date(segment, 2), end) if qualifier == "232" else (start, _date(segment, 2))

    def _svc(self, segment: Segment) -> None:
        if self.claim is None:
            raise _error(segment, self.transaction, "SVC outside a claim (CLP)")
        e = (*segment.elements, "", "", "", "", "", "")  # SVC01-06, absent ones empty (one line per service)
        procedure = e[0].split(self.d.component)
        billed = e[5].split(self.d.component) if e[5] else []
        self.line = ServicePayment(
            qualifier=procedure[0], code=_component(segment, procedure, 2),
            modifiers=tuple(m for m in procedure[2:6] if m),
            charge=_money(e[1], segment, 2), paid=_money(e[2], segment, 3),
            units_paid=_number(segment, 5) if e[4] else None,
            billed_code=billed[1] if len(billed) > 1 else None, billed_modifiers=tuple(m for m in billed[2:6] if m),
            position=segment.position,
        )  # fmt: skip
        self.claim.lines.append(self.line)

    def _amt(self, segment: Segment) -> None:
        if self.line is not None and segment.get(1) == "B6":
            self.line.allowed = money(segment, 2)

    def _lq(self, segment: Segment) -> None:
        if self.line is not None and segment.get(1) == "HE":
            self.line.remarks.append(segment.get(2))

    def _lx(self, _segment: Segment) -> None:
        self.claim, self.line = None, None

    def _plb(self, segment: Segment) -> None:
        assert self.remittance is not None
        self.claim, self.line = None, None
        self.remittance.provider_adjustments.extend(provider_adjustments(segment, self.d))


_HANDLERS = {
    "N1": _Reader._n1, "REF": _Reader._ref, "CLP": _Reader._clp, "CAS": _Reader._cas, "NM1": _Reader._nm1,
    "MOA": _Reader._remarks, "MIA": _Reader._remarks, "DTM": _Reader._dtm, "SVC": _Reader._svc,
    "AMT": _Reader._amt, "LQ": _Reader._lq, "LX": _Reader._lx, "PLB": _Reader._plb,
}  # fmt: skip


def adjustments(segment: Segment) -> Iterator[Adjustment]:
    """CAS: a group code, then up to six reason / amount / quantity triplets."""
    group = _required(segment, 1)
    e = (*segment.elements, "", "")  # a last triplet may stop after its reason or amount
    for first in range(1, min(len(segment.elements), 19), 3):  # CAS02, 05, ... (0-based 1, 4, ...)
        if not e[first]:
            continue
        quantity = _number(segment, first + 3) if e[first + 2] else None
        yield Adjustment(group, e[first], _money(e[first + 1], segment, first + 2), quantity)


def provider_adjustments(segment: Segment, d: Delimiters) -> Iterator[ProviderAdjustment]:
    """PLB: provider id, fiscal period end, then up to six reason:reference / amount pairs."""
    provider = _required(segment, 1)
    for first in range(3, 15, 2):
        if not segment.get(first):
            continue
        reason, _, reference = segment.get(first).partition(d.component)
        yield ProviderAdjustment(provider, reason, reference, money(segment, first + 1), segment.position)


# X12 R (decimal) values: an optional minus, digits with at most one point, no exponent, no spaces
_NUMBER = re.compile(r"-?(?:\d+\.?\d*|\.\d+)", re.ASCII)
_AMOUNT = re.compile(r"-?(?:\d+\.?\d{0,2}|\.\d{1,2})", re.ASCII)  # money: cents at most


def money(segment: Segment, number: int, *, optional: bool = False) -> Decimal:
    text = segment.get(number)
    if optional and not text:
        return Decimal(0)
    return _money(text, segment, number)


def _money(text: str, segment: Segment, number: int) -> Decimal:
    """Element `number`'s `text` as money (the hot path: the caller has the text at hand)."""
    if _AMOUNT.fullmatch(text) is None:
        _number(segment, number)  # names what is wrong when it is not a number at all
        raise X12Error("an amount has more than two decimals", position=segment.position, tag=segment.tag,
                       element=number)  # fmt: skip
    return Decimal(text)


def _number(segment: Segment, number: int) -> Decimal:
    text = segment.get(number)
    if _NUMBER.fullmatch(text) is None:
        raise X12Error(f"'{text[:20]}' is not a number", position=segment.position, tag=segment.tag, element=number)
    return Decimal(text)


def _required(segment: Segment, number: int) -> str:
    value = segment.get(number)
    if not value:
        raise X12Error("a required element is empty", position=segment.position, tag=segment.tag, element=number)
    return value


def _component(segment: Segment, parts: list[str], number: int) -> str:
    if len(parts) < number or not parts[number - 1]:
        raise X12Error("the procedure code is missing", position=segment.position, tag=segment.tag, element=1)
    return parts[number - 1]


def _date(segment: Segment, number: int) -> date:
    text = segment.get(number)
    try:  # by hand: strptime costs more than the rest of a claim's reading
        if len(text) != 8 or not text.isdigit():
            raise ValueError(text)
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        raise X12Error(f"'{text[:10]}' is not a date (CCYYMMDD)", position=segment.position, tag=segment.tag,
                       element=number) from None  # fmt: skip


def _error(segment: Segment | None, transaction: Transaction, reason: str) -> X12Error:
    if segment is None:
        return X12Error(reason, position=transaction.position, tag="ST")
    return X12Error(reason, position=segment.position, tag=segment.tag)
