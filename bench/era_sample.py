"""A generated 835 (ERA): one payment of many claims, balanced. The remittance bench reads and posts it; pyx12's
validation of it is the machine's reference for CPU-bound Python in every bench (`measuring.pyx12_claims_per_s`)."""

from datetime import UTC, datetime
from decimal import Decimal

from claimstream_platform.x12 import FunctionalGroup, Interchange, Segment, Transaction, write_interchange

# BPR: remittance with the payment by ACH, from the payer's account to ours, paid on 2026-11-20
PAYMENT = ["C", "ACH", "CCP", "01", "999999992", "DA", "1234567890", "1999999999", "", "01", "999988880", "DA"]
PAYER_AND_PAYEE = [
    Segment.of("TRN", "1", "BENCH0001", "1999999999"),
    Segment.of("N1", "PR", "SIMULATED MEDICARE"),
    Segment.of("N3", "1 PAYER PLAZA"),
    Segment.of("N4", "BALTIMORE", "MD", "21244"),
    Segment.of("PER", "BL", "PROVIDER SERVICES", "TE", "8005550199"),
    Segment.of("N1", "PE", "BENCH THERAPY", "XX", "1497758544"),
]


def generated_835(claims: int) -> str:
    """One payment of `claims` claims: a psychotherapy line each (some with an add-on), contractual write-off and
    coinsurance, line control numbers; balanced."""
    body: list[Segment] = []
    total = Decimal(0)
    for n in range(claims):
        segments, paid = _claim(n)
        body += segments
        total += paid
    header = [Segment.of("BPR", "I", total, *PAYMENT, "9876543210", "20261120"), *PAYER_AND_PAYEE]
    transaction = Transaction("835", "0001", "", header + body)  # the 835 guide leaves ST03 unused
    group = FunctionalGroup(
        "HP", "SIM", "CLAIMSTREAM", "1", "005010X221A1", [transaction], date="20261120", time="0930"
    )
    now = datetime.now(UTC)
    return write_interchange(Interchange("ZZ", "SIM", "ZZ", "CLAIMSTREAM", "000000001", [group], usage="P"), now=now)


def _claim(n: int) -> tuple[list[Segment], Decimal]:
    """The n-th claim's CLP, patient and service lines (charge, contractual, coinsurance each), and what it paid."""
    lines = [("90837", Decimal("180.00"), Decimal("40.00"), Decimal("28.00"))]
    if n % 4 == 0:
        lines.append(("90785", Decimal("30.00"), Decimal("10.00"), Decimal("4.00")))
    paid = sum((c - co - pr for _, c, co, pr in lines), Decimal(0))
    charge = sum((c for _, c, _, _ in lines), Decimal(0))
    clp = Segment.of("CLP", f"CS{n:010d}", "1", charge, paid, "", "MB", f"P{n}", "11", "1")
    patient = Segment.of("NM1", "QC", "1", "DOE", "PAT", "", "", "", "MI", f"M{n:09d}")
    segments = [Segment.of("LX", n + 1), clp, patient]
    for number, (code, c, co, pr) in enumerate(lines, start=1):
        segments += [
            Segment.of("SVC", ("HC", code, "95"), c, c - co - pr, "", "1"),
            Segment.of("DTM", "472", "20261110"),
            Segment.of("CAS", "CO", "45", co),
            Segment.of("CAS", "PR", "2", pr),
            Segment.of("REF", "6R", f"CS{n:010d}-{number}"),
            Segment.of("AMT", "B6", c - co),
        ]
    return segments, paid
