"""Payer adjudication: a claim, the payer's profile and the member's benefits in, paid amounts and CARC/RARC out.

Pure and deterministic. Every line balances by construction: charge - adjustments = paid. The order is a
payer's: claim-level denials (coverage, timely filing, duplicate, provider type, visit limit), then line
denials (bundling, authorization, telehealth coding, modifiers, diagnosis, units, non-covered), then pricing
(allowed amount, CO-45 contractual, member cost sharing, Medicare sequestration CO-253).

Cost sharing follows the member's plan, never all three at once: a copay plan charges the visit's copay (PR-3)
and nothing else; otherwise the deductible left (PR-1), then coinsurance on the rest (PR-2).
"""

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from claimstream_platform.dates import filing_deadline
from claimstream_platform.x12.p837 import Claim, Line

from clearinghouse_simulator.payers import PayerProfile

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
TELEHEALTH_PLACES = frozenset({"02", "10"})
DISTINCT_SERVICE_MODIFIERS = frozenset({"59", "XE", "XS", "XP", "XU"})


@dataclass(frozen=True)
class Member:
    coverage_start: date
    coverage_end: date | None
    deductible: Decimal
    deductible_met: Decimal
    coinsurance: Decimal
    copay: Decimal
    visits_used: int

    def covered_on(self, day: date) -> bool:
        return self.coverage_start <= day and (self.coverage_end is None or day <= self.coverage_end)


@dataclass(frozen=True)
class Adjustment:
    group: str  # CO contractual obligation, PR patient responsibility, OA other
    reason: str  # CARC
    amount: Decimal


@dataclass
class LineResult:
    line: Line
    allowed: Decimal = ZERO
    paid: Decimal = ZERO
    adjustments: list[Adjustment] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)  # RARC
    paid_code: str | None = None  # the code the payer paid, when not the one billed (downcoding)

    def deny(self, group: str, reason: str, remark: str | None = None) -> None:
        self.adjustments = [Adjustment(group, reason, self.line.charge)]
        self.remarks = [remark] if remark else []
        self.allowed = self.paid = ZERO


@dataclass
class Adjudication:
    status: str  # CLP02: 1 processed as primary, 4 denied
    lines: list[LineResult]
    deductible_applied: Decimal = ZERO
    visit_counted: bool = False
    crossover: tuple[str, str] | None = None  # (payer id, name): forwarded to it (CLP02 19, NM1*TT, MOA MA18)

    @property
    def charge(self) -> Decimal:
        return sum((r.line.charge for r in self.lines), ZERO)

    @property
    def paid(self) -> Decimal:
        return sum((r.paid for r in self.lines), ZERO)

    @property
    def patient_responsibility(self) -> Decimal:
        return sum((a.amount for r in self.lines for a in r.adjustments if a.group == "PR"), ZERO)


PROCESSED_AS = {"P": "1", "S": "2", "T": "3"}  # CLP02 by the billed payer's place (SBR01)


def adjudicate(
    claim: Claim,
    profile: PayerProfile,
    *,
    credential: str | None,
    member: Member,
    received: date,
    duplicate: bool,
) -> Adjudication:
    results = [LineResult(line) for line in claim.lines]
    service_date = claim.first_service_date or received
    status = PROCESSED_AS.get(claim.responsibility, "1")
    denial = _claim_denial(profile, credential, member, received, service_date, duplicate,
                           authorized=bool(claim.prior_authorization))  # fmt: skip
    if denial is not None:
        for result in results:
            result.deny(*denial)
        # processed (as primary, secondary...) and paid nothing: CLP02 4 is only for a patient the payer does
        # not recognise
        return Adjudication(status, results)
    for result in results:
        line_denial = _line_denial(claim, result.line, profile, credential)
        if line_denial is not None:
            result.deny(*line_denial)
    _deny_add_ons_without_a_paid_primary(results)
    for result in results:
        if not result.adjustments:
            _price(result, profile, credential, downcode=_downcoded(claim, result.line, profile))
    if status == "1":
        deductible_applied = _share_costs([r for r in results if r.allowed > 0], member)
    else:
        deductible_applied = ZERO
        _coordinate([r for r in results if r.allowed > 0])
    _sequester([r for r in results if r.paid > 0], profile.sequestration_on(service_date))
    payable = any(r.allowed > 0 for r in results)
    return Adjudication(status, results, deductible_applied, visit_counted=payable)


def _claim_denial(profile: PayerProfile, credential: str | None, member: Member, received: date, service_date: date,
                  duplicate: bool, *, authorized: bool) -> tuple[str, str, str | None] | None:  # fmt: skip
    if service_date < member.coverage_start:
        return ("CO", "26", None)  # expenses incurred before coverage
    if not member.covered_on(service_date):
        return ("CO", "27", None)  # expenses incurred after coverage terminated
    if received > filing_deadline(service_date, days=profile.timely_filing_days, months=profile.timely_filing_months):
        return ("CO", "29", None)  # the time limit for filing has expired
    if duplicate:
        return ("OA", "18", None)  # exact duplicate claim/service (N522 would mean a crossover duplicate)
    if credential is None or credential not in profile.credentials_paid:
        return ("CO", "170", "N95")  # denied when performed/billed by this type of provider
    if profile.visit_limit_per_year and member.visits_used >= profile.visit_limit_per_year:
        if not profile.limit_extends_with_authorization:
            return ("CO", "119", "N640")  # benefit maximum for this period has been reached
        if not authorized:  # visits past the count need an authorization, granted in blocks (docs/domain.md §5)
            return ("CO", "197", "N54")  # precertification/authorization absent
    return None


def _line_denial(
    claim: Claim, line: Line, profile: PayerProfile, credential: str | None
) -> tuple[str, str, str | None] | None:
    codes = {other.code for other in claim.lines if other is not line}
    if any((other, line.code) in profile.bundled_pairs for other in codes) and not (
        DISTINCT_SERVICE_MODIFIERS & set(line.modifiers)
    ):
        return ("CO", "97", "M15")  # included in the allowance for another service
    if line.code in profile.prior_auth_codes and not claim.prior_authorization:
        return ("CO", "197", "N54")  # precertification/authorization absent
    place = line.place_of_service or claim.place_of_service
    if place in TELEHEALTH_PLACES and place not in profile.telehealth_places:
        return ("CO", "16", "M77")  # missing/incomplete/invalid place of service
    telehealth_coded = bool(set(line.modifiers) & {"95", "93", "GT", "FQ"})
    if telehealth_coded and place not in TELEHEALTH_PLACES and profile.telehealth_place_required:
        return ("CO", "5", "M77")  # the code is inconsistent with the place of service: telehealth needs 02/10
    telehealth = place in TELEHEALTH_PLACES or telehealth_coded
    if telehealth and not set(line.modifiers) & profile.telehealth_modifiers:
        return ("CO", "4", "N822")  # the procedure code is inconsistent with the modifier used: missing modifier
    required = profile.credential_modifiers.get(credential or "")
    # a later payer (COB, crossover) pays on the primary's adjudication: its own credential-modifier edit is not
    # applied to a claim coded for the primary
    if required and required not in line.modifiers and claim.responsibility == "P":
        return ("CO", "4", "N822")
    if _mental_health_service(line.code) and not _points_to_mental_health(claim, line):
        return ("CO", "11", None)  # the diagnosis is inconsistent with the procedure
    limit = profile.unit_limits.get(line.code)
    if limit is not None and line.units > limit:
        return ("CO", "151", "N362")  # units exceed the acceptable maximum
    if line.code not in profile.allowed:
        return ("CO", "96", "N130")  # non-covered charge
    return None


# Add-on codes and the primaries they are paid with (the payer's copy of the CPT add-on rules).
EM_OFFICE_AND_HOSPITAL = frozenset(str(code) for code in (*range(99202, 99206), *range(99211, 99216),
                                                          *range(99221, 99224), *range(99231, 99237)))  # fmt: skip
ADD_ON_PRIMARIES: dict[str, frozenset[str]] = {
    "90833": EM_OFFICE_AND_HOSPITAL, "90836": EM_OFFICE_AND_HOSPITAL, "90838": EM_OFFICE_AND_HOSPITAL,
    "90840": frozenset({"90839"}), "96131": frozenset({"96130"}), "96133": frozenset({"96132"}),
    "96137": frozenset({"96136"}), "96139": frozenset({"96138"}),
    "90785": frozenset({"90791", "90792", "90832", "90834", "90837", "90853"}) | EM_OFFICE_AND_HOSPITAL,
}  # fmt: skip


def _deny_add_ons_without_a_paid_primary(results: list[LineResult]) -> None:
    """An add-on is paid only beside a primary that is: when every primary on the claim was denied, so is it
    (CARC B15: the qualifying service was not received or covered)."""
    payable = {r.line.code for r in results if not r.adjustments}
    for result in results:
        primaries = ADD_ON_PRIMARIES.get(result.line.code)
        if primaries is not None and not result.adjustments and not primaries & payable:
            result.deny("CO", "B15")


MENTAL_HEALTH_HCPCS = frozenset({"H0001", "H0004", "H0005", "H0015", "H0031", "H0032", "H0035", "H2011", "H2012",
                                 "H2015", "H2017", "H2019", "H2020"})  # fmt: skip


def _mental_health_service(code: str) -> bool:
    """Psychiatric evaluation and psychotherapy (90791-90899) and the behavioral-health H-codes."""
    return code.startswith(("907", "908")) or code in MENTAL_HEALTH_HCPCS


def _points_to_mental_health(claim: Claim, line: Line) -> bool:
    """The line's own diagnoses (its pointers, else the claim's first) include an F-code."""
    pointed = [claim.diagnoses[p - 1] for p in line.pointers if 0 < p <= len(claim.diagnoses)] or claim.diagnoses[:1]
    return any(code.startswith("F") for code in pointed)


def _downcoded(claim: Claim, line: Line, profile: PayerProfile) -> str | None:
    """The code this payer pays instead of the one billed, for its share of claims (chosen by claim number)."""
    paid = profile.downcodes.get(line.code)
    if paid is None or paid not in profile.allowed:
        return None
    share = int(hashlib.sha256(claim.patient_control_number.encode()).hexdigest()[:8], 16) % 100
    return paid if share < profile.downcode_percent else None


def _price(result: LineResult, profile: PayerProfile, credential: str | None, *, downcode: str | None) -> None:
    line = result.line
    factor = profile.credential_factor.get(credential or "", Decimal(1))
    result.paid_code = downcode
    allowed = min((profile.allowed[downcode or line.code] * line.units * factor).quantize(CENT), line.charge)
    result.allowed = allowed
    if line.charge > allowed:
        result.adjustments.append(Adjustment("CO", "45", line.charge - allowed))


def _share_costs(payable: Sequence[LineResult], member: Member) -> Decimal:
    """A copay plan: the copay once per visit, nothing else. Otherwise the deductible left, then coinsurance.
    Returns the deductible applied."""
    copay_left = member.copay
    deductible_left = ZERO if member.copay > 0 else max(member.deductible - member.deductible_met, ZERO)
    applied = ZERO
    for result in payable:
        remaining = result.allowed
        copay = min(copay_left, remaining)
        copay_left -= copay
        deductible = min(deductible_left, remaining)
        deductible_left -= deductible
        applied += deductible
        coinsurance = ZERO if member.copay > 0 else ((remaining - deductible) * member.coinsurance).quantize(CENT)
        for reason, amount in (("3", copay), ("1", deductible), ("2", coinsurance)):
            if amount > 0:
                result.adjustments.append(Adjustment("PR", reason, amount))
        result.paid = remaining - copay - deductible - coinsurance
    return applied


def _coordinate(payable: Sequence[LineResult]) -> None:
    """A later payer (COB, non-duplication): it pays what the patient still owes after the earlier payers, up
    to its own allowed amount less what they paid. The earlier payers' effect is OA-23; what it leaves the
    patient stays PR-2. A line no earlier payer adjudicated is paid as its allowed amount."""
    for result in payable:
        earlier = result.line.adjudications
        if not earlier:
            result.paid = result.allowed
            continue
        owed = earlier[-1].patient_responsibility
        prior_paid = sum((a.paid for a in earlier), ZERO)
        pays = min(owed, max(result.allowed - prior_paid, ZERO))
        charge = result.line.charge
        result.adjustments = [Adjustment("OA", "23", charge - owed)] if charge > owed else []
        if owed > pays:
            result.adjustments.append(Adjustment("PR", "2", owed - pays))
        result.paid = pays


def _sequester(paid: Sequence[LineResult], rate: Decimal) -> None:
    """Medicare's sequestration: a share of each payment withheld, as CO-253."""
    for result in paid:
        withheld = (result.paid * rate).quantize(CENT)
        if withheld > 0:
            result.adjustments.append(Adjustment("CO", "253", withheld))
            result.paid -= withheld


def reversal(original: Adjudication) -> Adjudication:
    """The payer takes a payment back (CLP02 22): every amount negated, so the new 835 still balances."""
    lines = [
        LineResult(
            line=r.line.model_copy(update={"charge": -r.line.charge}),
            allowed=-r.allowed,
            paid=-r.paid,
            adjustments=[Adjustment(a.group, a.reason, -a.amount) for a in r.adjustments],
            remarks=list(r.remarks),
            paid_code=r.paid_code,
        )
        for r in original.lines
    ]
    return Adjudication("22", lines)
