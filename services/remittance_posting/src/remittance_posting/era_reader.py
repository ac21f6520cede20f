"""One 835 transaction set read loop by loop: the header (BPR, TRN), 1000A payer and 1000B payee, 2100 claim
payments (CLP) with their 2110 service lines (SVC), and the PLB provider adjustments. Pure.

Segments the posting does not need (N3, N4, PER, TS3, TS2, ...) are passed over.
"""

from claimstream_platform.x12 import Delimiters, Segment, Transaction

from remittance_posting.era_values import (
    adjustments,
    component,
    decimal_number,
    error,
    money,
    money_text,
    provider_adjustments,
    read_date,
    required,
)
from remittance_posting.model import ClaimPayment, Remittance, ServicePayment

# The guide's repeat of loop 2110 (service payment) in a claim: pyx12 refuses a 1,000th, and so do we (a claim of
# 20,000 lines, well within an upload's size, made a 6 MB PaymentPosted that Kafka refused).
MAX_SERVICE_LINES = 999


def read_transaction(transaction: Transaction, delimiters: Delimiters) -> Remittance:
    return _Reader(transaction, delimiters).read()


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
            raise error(bpr, self.transaction, "an 835 starts with BPR")
        if trn is None or trn.tag != "TRN":
            raise error(trn or bpr, self.transaction, "BPR is followed by TRN (the reassociation trace)")
        self.remittance = Remittance(
            control_number=self.transaction.control_number,
            handling=bpr.get(1),
            total=money(bpr, 2),
            credit=bpr.get(3) != "D",
            method=bpr.get(4),
            paid_on=read_date(bpr, 16) if bpr.get(16) else None,
            trace_number=required(trn, 2),
            trace_originator=trn.get(3),
            position=bpr.position,
        )

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
            patient_control_number=required(segment, 1),
            status=required(segment, 2),
            charge=money(segment, 3),
            paid=money(segment, 4),
            patient_responsibility=money(segment, 5, optional=True),
            filing_indicator=segment.get(6),
            payer_claim_number=segment.get(7),
            frequency=segment.get(9),
            position=segment.position,
        )
        self.remittance.claims.append(self.claim)

    def _cas(self, segment: Segment) -> None:
        owner = self.line or self.claim
        if owner is None:
            raise error(segment, self.transaction, "CAS outside a claim or service line")
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
            self.line.service_date = read_date(segment, 2)
        elif self.claim is not None and self.line is None:
            if qualifier == "050":
                self.claim.received = read_date(segment, 2)
            elif qualifier in ("232", "233"):
                start, end = self.claim.period
                self.claim.period = (
                    (read_date(segment, 2), end) if qualifier == "232" else (start, read_date(segment, 2))
                )

    def _svc(self, segment: Segment) -> None:
        if self.claim is None:
            raise error(segment, self.transaction, "SVC outside a claim (CLP)")
        if len(self.claim.lines) == MAX_SERVICE_LINES:
            raise error(
                segment, self.transaction, f"more than {MAX_SERVICE_LINES} service lines (loop 2110) in a claim"
            )
        e = (*segment.elements, "", "", "", "", "", "")  # SVC01-06, absent ones empty (one line per service)
        procedure = e[0].split(self.d.component)
        billed = e[5].split(self.d.component) if e[5] else []
        self.line = ServicePayment(
            qualifier=procedure[0],
            code=component(segment, procedure, 2),
            modifiers=tuple(m for m in procedure[2:6] if m),
            charge=money_text(e[1], segment, 2),
            paid=money_text(e[2], segment, 3),
            units_paid=decimal_number(segment, 5) if e[4] else None,
            billed_code=billed[1] if len(billed) > 1 else None,
            billed_modifiers=tuple(m for m in billed[2:6] if m),
            position=segment.position,
        )
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
    "N1": _Reader._n1,
    "REF": _Reader._ref,
    "CLP": _Reader._clp,
    "CAS": _Reader._cas,
    "NM1": _Reader._nm1,
    "MOA": _Reader._remarks,
    "MIA": _Reader._remarks,
    "DTM": _Reader._dtm,
    "SVC": _Reader._svc,
    "AMT": _Reader._amt,
    "LQ": _Reader._lq,
    "LX": _Reader._lx,
    "PLB": _Reader._plb,
}
