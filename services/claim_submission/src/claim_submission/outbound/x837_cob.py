"""The 837P's coordination-of-benefits loops: 2320/2330 for each other payer, 2430 for what each paid per
line. Pure.

A payer that has not paid yet is named (SBR, OI, 2330A subscriber, 2330B payer) so the billed payer knows it
is not alone. One that has paid adds its amounts: claim-level `CAS` (one segment per group, at most six
reasons each), `AMT*D` paid, `AMT*EAF` what the patient still owes, the payer's claim number (2330B REF*F8),
and for every line it paid `SVD`, the line's `CAS` and `DTP*573` (the day it paid).
"""

from collections.abc import Iterable

from claimstream_platform.x12 import Segment, amount

from claim_submission.domain.content import Adjustment, ClaimContent, OtherPayer, Person

RESPONSIBILITY = {"primary": "P", "secondary": "S", "tertiary": "T"}  # SBR01
PATIENT_RELATIONSHIP = {"self": "18", "spouse": "01", "child": "19", "other": "G8"}  # 2320 SBR02


def other_payers(content: ClaimContent) -> list[Segment]:
    segments: list[Segment] = []
    for other in content.other_payers:
        coverage, done = other.coverage, other.adjudication
        relationship = PATIENT_RELATIONSHIP[coverage.relationship]
        segments.append(
            sbr(other.responsibility, relationship, coverage.group_number, other.payer.claim_filing_indicator)
        )
        if done is not None:
            segments += cas(done.claim_adjustments)
            segments.append(Segment.of("AMT", "D", amount(done.paid)))
            segments.append(Segment.of("AMT", "EAF", amount(done.patient_responsibility)))
        segments.append(Segment.of("OI", "", "", "Y", "", "", "Y"))
        segments += _other_subscriber(content, other)
        segments.append(Segment.of("NM1", "PR", "2", other.payer.name, "", "", "", "", "PI", other.payer.payer_id))
        if done is not None and done.payer_claim_number:
            segments.append(Segment.of("REF", "F8", done.payer_claim_number))
    return segments


def sbr(responsibility: str, relationship: str, group_number: str | None, filing_indicator: str) -> Segment:
    """SBR: the payer's place (P, S, T), the patient's relationship to the subscriber, the group, SBR09."""
    return Segment.of(
        "SBR", RESPONSIBILITY[responsibility], relationship, group_number or "", *[""] * 5, filing_indicator
    )


def _other_subscriber(content: ClaimContent, other: OtherPayer) -> list[Segment]:
    """2330A: the holder of the other coverage (the patient, when they hold it)."""
    coverage = other.coverage
    holder: Person = content.patient if coverage.subscriber is None else coverage.subscriber
    return [Segment.of("NM1", "IL", "1", holder.last_name, holder.first_name, "", "", "", "MI", coverage.member_id)]


def line_adjudications(content: ClaimContent, line_number: int) -> list[Segment]:
    """2430 for each payer that paid the line: SVD, the line's CAS, DTP*573."""
    line = next(line for line in content.lines if line.line_number == line_number)
    segments: list[Segment] = []
    for other in content.other_payers:
        done = other.adjudication
        if done is None:
            continue
        for paid in (p for p in done.lines if p.line_number == line_number):
            units = amount(paid.units_paid) if paid.units_paid is not None else line.units  # SVD05: what it paid
            segments += [
                Segment.of(
                    "SVD", other.payer.payer_id, amount(paid.paid), ("HC", paid.code, *paid.modifiers), "", units
                ),
                *cas(paid.adjustments),
                Segment.of("DTP", "573", "D8", f"{done.paid_on:%Y%m%d}"),
            ]
    return segments


def cas(adjustments: Iterable[Adjustment]) -> list[Segment]:
    """One CAS per group, at most six reason/amount pairs each (a seventh starts another CAS of the group)."""
    by_group: dict[str, list[Adjustment]] = {}
    for adjustment in adjustments:
        by_group.setdefault(adjustment.group, []).append(adjustment)
    segments = []
    for group, items in by_group.items():
        for start in range(0, len(items), 6):
            pairs = [(a.reason, amount(a.amount), "") for a in items[start : start + 6]]
            flat = [value for pair in pairs for value in pair]
            segments.append(Segment.of("CAS", group, *flat[:-1]))
    return segments
