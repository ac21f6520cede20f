"""A payer's edits before it prices a claim: the claim-level denials (coverage, timely filing, duplicate, provider
type, visit limit) and the line-level ones (bundling, authorization, telehealth coding, modifiers, diagnosis,
units, non-covered, medical necessity, an add-on without its primary). Pure.

Each denial is (group, CARC, RARC or None).
"""

from datetime import date

from claimstream_platform.dates import filing_deadline
from claimstream_platform.x12.p837 import Claim, Line

from clearinghouse_simulator.payers import PayerProfile
from clearinghouse_simulator.results import LineResult, Member
from clearinghouse_simulator.shares import share

Denial = tuple[str, str, str | None]
TELEHEALTH_PLACES = frozenset({"02", "10"})
TELEHEALTH_CODED = frozenset({"95", "93", "GT", "FQ"})
DISTINCT_SERVICE_MODIFIERS = frozenset({"59", "XE", "XS", "XP", "XU"})


def claim_denial(
    profile: PayerProfile,
    credential: str | None,
    member: Member,
    *,
    received: date,
    service_date: date,
    duplicate: bool,
    authorized: bool,
) -> Denial | None:
    if service_date < member.coverage_start:
        return ("CO", "26", None)  # expenses incurred before coverage
    if not member.covered_on(service_date):
        return ("CO", "27", None)  # expenses incurred after coverage terminated
    deadline = filing_deadline(service_date, days=profile.timely_filing_days, months=profile.timely_filing_months)
    if received > deadline:
        return ("CO", "29", None)  # the time limit for filing has expired
    if duplicate:
        return ("OA", "18", None)  # exact duplicate claim/service (N522 would mean a crossover duplicate)
    if credential is None or credential not in profile.credentials_paid:
        return ("CO", "170", "N95")  # denied when performed/billed by this type of provider
    if profile.visit_limit_per_year and member.visits_used >= profile.visit_limit_per_year:
        if not profile.limit_extends_with_authorization:
            return ("CO", "119", "N640")  # benefit maximum for this period has been reached
        if not authorized:  # visits past the count need an authorization, granted in blocks (docs/domain/payers.md)
            return ("CO", "197", "N54")  # precertification/authorization absent
    return None


def line_denial(claim: Claim, line: Line, profile: PayerProfile, credential: str | None) -> Denial | None:
    codes = {other.code for other in claim.lines if other is not line}
    bundled = any((other, line.code) in profile.bundled_pairs for other in codes)
    if bundled and not DISTINCT_SERVICE_MODIFIERS & set(line.modifiers):
        return ("CO", "97", "M15")  # included in the allowance for another service
    if line.code in profile.prior_auth_codes and not claim.prior_authorization:
        return ("CO", "197", "N54")  # precertification/authorization absent
    # a later payer (COB, crossover) pays on the primary's adjudication: its own coding edits (telehealth place and
    # modifiers, credential modifiers) are not applied to a claim coded for the primary
    telehealth = _telehealth_denial(claim, line, profile) if claim.responsibility == "P" else None
    if telehealth is not None:
        return telehealth
    required = profile.credential_modifiers.get(credential or "")
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


def _telehealth_denial(claim: Claim, line: Line, profile: PayerProfile) -> Denial | None:
    place = line.place_of_service or claim.place_of_service
    if place in TELEHEALTH_PLACES and place not in profile.telehealth_places:
        return ("CO", "16", "M77")  # missing/incomplete/invalid place of service
    coded = bool(set(line.modifiers) & TELEHEALTH_CODED)
    if coded and place not in TELEHEALTH_PLACES and profile.telehealth_place_required:
        return ("CO", "5", "M77")  # the code is inconsistent with the place of service: telehealth needs 02/10
    telehealth = place in TELEHEALTH_PLACES or coded
    if telehealth and not set(line.modifiers) & profile.telehealth_modifiers:
        return ("CO", "4", "N822")  # the procedure code is inconsistent with the modifier used: missing modifier
    return None


def deny_a_line_not_medically_necessary(claim: Claim, results: list[LineResult], profile: PayerProfile) -> None:
    """On its share of claims (chosen by claim number) with two services or more still payable, the payer finds
    the last of them not medically necessary: CO-50 (N115, its local coverage determination). A denial of the
    payer's own that stays open for a person (an appeal with the records), whatever a later payer does."""
    payable = [r for r in results if not r.adjustments]
    if claim.responsibility != "P" or len(payable) < 2:
        return
    if share("medical-necessity", claim.patient_control_number) < profile.medical_necessity_percent:
        payable[-1].deny("CO", "50", "N115")


# Add-on codes and the primaries they are paid with (the payer's copy of the CPT add-on rules).
EM_OFFICE_AND_HOSPITAL = frozenset(
    str(code) for code in (*range(99202, 99206), *range(99211, 99216), *range(99221, 99224), *range(99231, 99237))
)
PSYCHOTHERAPY_AND_EVALUATION = frozenset({"90791", "90792", "90832", "90834", "90837", "90853"})
ADD_ON_PRIMARIES: dict[str, frozenset[str]] = {
    "90833": EM_OFFICE_AND_HOSPITAL,
    "90836": EM_OFFICE_AND_HOSPITAL,
    "90838": EM_OFFICE_AND_HOSPITAL,
    "90840": frozenset({"90839"}),
    "96131": frozenset({"96130"}),
    "96133": frozenset({"96132"}),
    "96137": frozenset({"96136"}),
    "96139": frozenset({"96138"}),
    "90785": PSYCHOTHERAPY_AND_EVALUATION | EM_OFFICE_AND_HOSPITAL,
}


def deny_add_ons_without_a_paid_primary(results: list[LineResult]) -> None:
    """An add-on is paid only beside a primary that is: when every primary on the claim was denied, so is it
    (CARC B15: the qualifying service was not received or covered)."""
    payable = {r.line.code for r in results if not r.adjustments}
    for result in results:
        primaries = ADD_ON_PRIMARIES.get(result.line.code)
        if primaries is not None and not result.adjustments and not primaries & payable:
            result.deny("CO", "B15")


MENTAL_HEALTH_HCPCS = frozenset("H0001 H0004 H0005 H0015 H0031 H0032 H0035 H2011 H2012 H2015 H2017 H2019 H2020".split())


def _mental_health_service(code: str) -> bool:
    """Psychiatric evaluation and psychotherapy (90791-90899) and the behavioral-health H-codes."""
    return code.startswith(("907", "908")) or code in MENTAL_HEALTH_HCPCS


def _points_to_mental_health(claim: Claim, line: Line) -> bool:
    """The line's own diagnoses (its pointers, else the claim's first) include an F-code."""
    pointed = [claim.diagnoses[p - 1] for p in line.pointers if 0 < p <= len(claim.diagnoses)] or claim.diagnoses[:1]
    return any(code.startswith("F") for code in pointed)
