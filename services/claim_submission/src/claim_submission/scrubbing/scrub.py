"""The scrubber: what a payer would reject or deny, found before the claim leaves. Pure.

Every finding is a reason (rule, field, message) and holds the claim in the work queue until it is fixed
(a corrected encounter, a correction request) or released on purpose.
"""

from collections.abc import Sequence
from datetime import date
from typing import Any

from claimstream_platform.contracts import Reason
from claimstream_platform.identifiers import npi_is_valid
from claimstream_platform.payers import Layer

from claim_submission.domain.content import ClaimContent
from claim_submission.scrubbing.authorization_rule import required_reason
from claim_submission.scrubbing.learned import LearnedRule, findings
from claim_submission.scrubbing.payer_rules import rules_for

MAX_POINTERS, MAX_DIAGNOSES, MAX_MODIFIERS = 4, 12, 4
PO_BOX = ("PO BOX", "P.O. BOX", "POST OFFICE BOX")


def scrub(
    charges: ClaimContent,
    *,
    today: date,
    duplicate: bool,
    learned: Sequence[LearnedRule] = (),
    visits_this_year: int = 0,
    overrides: Sequence[Layer] = (),
) -> list[Reason]:
    """Every finding, the rules we know of the payer and those learned from its denials (`learned.py`).
    `visits_this_year`: the patient's other visits with the payer this calendar year, up to the date of service;
    `overrides`: the claim's practice's own facts for its payer, over ours (docs/domain/payers.md)."""
    rules = rules_for(charges.payer.payer_id, charges.payer.kind, charges.service_date, overrides)
    reasons: list[Reason] = []

    def hold(rule: str, field: str, message: str) -> None:
        reasons.append(Reason(rule=rule, field=field, message=message))

    deadline = rules.filing_deadline(charges.service_date)
    if today > deadline:
        closed = f"the filing window ({rules.window()} from the date of service) closed on {deadline.isoformat()}"
        hold("timely-filing.expired", "service_date", closed)
    needing = sorted({line.code for line in charges.lines} & rules.prior_auth_codes)
    if needing and not charges.prior_authorization_number:
        hold(
            "authorization.missing",
            "prior_authorization_number",
            f"this payer requires prior authorization for {', '.join(needing)}",
        )
    after = rules.prior_auth_after_visits
    if after is not None and visits_this_year >= after and not charges.prior_authorization_number:
        counted = sorted({line.code for line in charges.lines} & rules.prior_auth_visit_codes)
        if counted:
            reasons.append(required_reason(counted, visits_this_year))
    if duplicate:
        hold("claim.duplicate", "lines", "a claim with the same patient, provider, date and codes is already open")
    _providers(charges, hold)
    _lines(charges, hold)
    return reasons + findings(charges, learned)


def _providers(charges: ClaimContent, hold: Any) -> None:
    billing, rendering = charges.billing_provider, charges.rendering_provider
    if not npi_is_valid(billing.npi):
        hold("billing-provider.npi", "billing_provider.npi", "the billing NPI's check digit is wrong")
    if len(billing.tax_id) != 9 or not billing.tax_id.isdigit():
        hold("billing-provider.tax-id", "billing_provider.tax_id", "the billing provider needs a 9-digit tax id")
    if not billing.taxonomy:
        hold("billing-provider.taxonomy", "billing_provider.taxonomy", "the billing provider needs a taxonomy code")
    if len(billing.address.postal_code) != 9:
        hold(
            "billing-provider.zip4",
            "billing_provider.address.postal_code",
            "an 837P billing provider address needs a 9-digit ZIP+4",
        )
    if billing.address.line1.upper().replace(".", "").startswith(tuple(p.replace(".", "") for p in PO_BOX)):
        hold(
            "billing-provider.po-box", "billing_provider.address.line1", "a billing provider address cannot be a PO box"
        )
    if not npi_is_valid(rendering.npi):
        hold("rendering-provider.npi", "rendering_provider.npi", "the rendering NPI's check digit is wrong")
    if not rendering.taxonomy:
        hold("rendering-provider.taxonomy", "rendering_provider.taxonomy", "the rendering provider needs a taxonomy")
    if charges.coverage.relationship != "self" and charges.coverage.subscriber is None:
        hold("subscriber.missing", "coverage.subscriber", "the subscriber is required when the patient is not")


def _lines(charges: ClaimContent, hold: Any) -> None:
    if not 1 <= len(charges.diagnoses) <= MAX_DIAGNOSES:
        hold("diagnosis.count", "diagnoses", f"a claim carries 1 to {MAX_DIAGNOSES} diagnoses")
    if not charges.lines:
        hold("lines.missing", "lines", "a claim needs at least one service line")
    for line in charges.lines:
        where = f"lines[{line.line_number - 1}]"
        pointers = line.diagnosis_pointers
        if not pointers or len(pointers) > MAX_POINTERS or not all(1 <= p <= len(charges.diagnoses) for p in pointers):
            hold(
                "diagnosis.pointer",
                f"{where}.diagnosis_pointers",
                f"1 to {MAX_POINTERS} pointers into the {len(charges.diagnoses)} diagnoses",
            )
        if line.amount <= 0:
            hold("line.amount", f"{where}.amount", "a service line needs a charge above zero")
        _modifiers(line.modifiers, where, hold)


def _modifiers(modifiers: Sequence[str], where: str, hold: Any) -> None:
    present = set(modifiers)
    if len(modifiers) > MAX_MODIFIERS or len(present) != len(modifiers):
        hold("modifiers.count", f"{where}.modifiers", f"at most {MAX_MODIFIERS} different modifiers on a line")
    if {"95", "93"} <= present:
        hold("modifiers.telehealth", f"{where}.modifiers", "95 (video) and 93 (audio only) cannot be on one line")
    if "GA" in present and present & {"GY", "GZ"}:
        hold("modifiers.liability", f"{where}.modifiers", "GA cannot be on a line with GY or GZ")
