"""The simulated payers' profiles: their own rules, loaded from data/payers.toml."""

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from typing import Any

from clearinghouse_simulator.shares import share


@dataclass(frozen=True)
class CostSharing:
    deductible: Decimal  # the individual's, per benefit year
    coinsurance: Decimal  # a fraction: 0.20 is 20 %
    copay: Decimal
    # What its 271s also state (None: the plan has none). The roster has no households: a member's family
    # accumulators are their own plus `household_met`, what the rest of the family has met this year.
    family_deductible: Decimal | None = None
    out_of_pocket: Decimal | None = None  # the individual's out-of-pocket maximum
    family_out_of_pocket: Decimal | None = None
    household_met: Decimal = Decimal(0)


@dataclass(frozen=True)
class PayerProfile:
    payer_id: str
    name: str
    kind: str
    claim_filing_indicator: str
    era_filing_indicator: str
    tin: str
    timely_filing_days: int | None  # or, for "one calendar year", months
    timely_filing_months: int | None
    telehealth_places: frozenset[str]
    telehealth_modifiers: frozenset[str]
    credential_modifiers: Mapping[str, str]
    credentials_paid: frozenset[str]
    prior_auth_codes: frozenset[str]
    visit_limit_per_year: int
    cost_sharing: CostSharing
    credential_factor: Mapping[str, Decimal]
    bundled_pairs: frozenset[tuple[str, str]]
    unit_limits: Mapping[str, int]
    allowed: Mapping[str, Decimal]
    sequestration: tuple[tuple[date, Decimal], ...] = ()  # (from, rate), oldest first: CO-253 on Medicare payments
    # What real 835s vary in (docs/clearinghouse-simulator.md, "The variety of its 835s"): how the payer pays,
    # whether it echoes the modifiers billed, and which codes it pays as another (a share of claims, chosen by
    # claim number: deterministic).
    payment_method: str = "ACH"  # BPR04: ACH, or CHK (a paper check; TRN02 is its number)
    era_echoes_modifiers: bool = True
    downcodes: Mapping[str, str] = field(default_factory=dict)  # billed code -> the code paid
    downcode_percent: int = 0
    crossover_to: frozenset[str] = frozenset()  # payers it forwards claims to itself (COBA), CLP02 19
    telehealth_place_required: bool = False  # a telehealth line (95, 93, GT) billed at an in-person POS: CO-5
    # 271s: a plan whose mental-health benefits another company runs (a carve-out: payer id, name, phone), and a
    # payer that states its visit limit only in MSG free text.
    mental_health_administrator: tuple[str, str, str] | None = None
    visit_limit_in_text: bool = False
    visit_limit_in_hsd: bool = False  # its 271 states the visit limit and the visits used in HSD segments
    # 278s: the most visits or units one authorization grants, and whether a first request is pended.
    authorization_block: int = 12
    limit_extends_with_authorization: bool = False  # past the limit: paid with an authorization (else a hard cap)
    pends_reviews: bool = False
    # The money cases (docs/clearinghouse-simulator.md): a claim-specific negotiated discount (CO-131 in place of
    # CO-45) on a share of claims, in force from a date: (from, percent of claims), oldest first;
    negotiated_discounts: tuple[tuple[date, int], ...] = ()
    # MIPS payment adjustments by date of service, (from, penalty rate, incentive rate) oldest first, and the share
    # of clinicians (by rendering NPI) penalized (CO-237) and rewarded (CO-144, a negative amount);
    mips: tuple[tuple[date, Decimal, Decimal], ...] = ()
    mips_penalized_percent: int = 0
    mips_rewarded_percent: int = 0
    medical_necessity_percent: int = 0  # claims of two services or more with one found not necessary (CO-50)
    # a post-payment review that finds a share of paid claims overpaid and takes the money back (PLB WO) this many
    # days (adjudication cycles) after the payment;
    review_after_days: int = 0
    review_percent: int = 0
    # and a payer that refuses a replacement (frequency 7) of a claim it denied: it wants a new original (1).
    new_original_after_denial: bool = False

    def sequestration_on(self, day: date) -> Decimal:
        rates = [rate for start, rate in self.sequestration if start <= day]
        return rates[-1] if rates else Decimal(0)

    def discount_percent_on(self, day: date) -> int:
        shares = [percent for start, percent in self.negotiated_discounts if start <= day]
        return shares[-1] if shares else 0

    def mips_on(self, day: date, npi: str) -> tuple[Decimal, Decimal]:
        """(penalty rate, incentive rate) for the rendering clinician's services on `day`: one of them is zero."""
        rates = [(penalty, incentive) for start, penalty, incentive in self.mips if start <= day]
        if not rates:
            return Decimal(0), Decimal(0)
        penalty, incentive = rates[-1]
        drawn = share("mips", npi)
        if drawn < self.mips_penalized_percent:
            return penalty, Decimal(0)
        if drawn < self.mips_penalized_percent + self.mips_rewarded_percent:
            return Decimal(0), incentive
        return Decimal(0), Decimal(0)


@dataclass(frozen=True)
class PayerBook:
    payers: Mapping[str, PayerProfile]
    taxonomy_credentials: Mapping[str, str]


def parse(text: str) -> PayerBook:
    data = tomllib.loads(text)
    payers = {entry["payer_id"]: _profile(entry) for entry in data["payer"]}
    return PayerBook(payers, dict(data["taxonomy_credentials"]))


def _profile(entry: dict[str, Any]) -> PayerProfile:
    sharing = entry["cost_sharing"]
    return PayerProfile(
        payer_id=entry["payer_id"],
        name=entry["name"],
        kind=entry["kind"],
        claim_filing_indicator=entry["claim_filing_indicator"],
        era_filing_indicator=entry["era_filing_indicator"],
        tin=entry["tin"],
        timely_filing_days=entry.get("timely_filing_days"),
        timely_filing_months=entry.get("timely_filing_months"),
        telehealth_places=frozenset(entry["telehealth_places"]),
        telehealth_modifiers=frozenset(entry["telehealth_modifiers"]),
        credential_modifiers=dict(entry["credential_modifiers"]),
        credentials_paid=frozenset(entry["credentials_paid"]),
        prior_auth_codes=frozenset(entry["prior_auth_codes"]),
        visit_limit_per_year=entry["visit_limit_per_year"],
        cost_sharing=_cost_sharing(sharing),
        credential_factor={k: Decimal(v) for k, v in entry["credential_factor"].items()},
        bundled_pairs=frozenset((a, b) for a, b in entry["bundled_pairs"]),
        unit_limits={str(k): int(v) for k, v in entry["unit_limits"].items()},
        allowed={str(k): Decimal(v) for k, v in entry["allowed"].items()},
        sequestration=tuple(
            (date.fromisoformat(start), Decimal(rate)) for start, rate in sorted(entry.get("sequestration", []))
        ),
        payment_method=entry.get("payment_method", "ACH"),
        era_echoes_modifiers=entry.get("era_echoes_modifiers", True),
        downcodes=dict(entry.get("downcodes", {})),
        downcode_percent=int(entry.get("downcode_percent", 0)),
        crossover_to=frozenset(entry.get("crossover_to", [])),
        telehealth_place_required=bool(entry.get("telehealth_place_required", False)),
        mental_health_administrator=_administrator(entry.get("mental_health_administrator")),
        visit_limit_in_text=bool(entry.get("visit_limit_in_text", False)),
        visit_limit_in_hsd=bool(entry.get("visit_limit_in_hsd", False)),
        authorization_block=int(entry.get("authorization_block", 12)),
        limit_extends_with_authorization=bool(entry.get("limit_extends_with_authorization", False)),
        pends_reviews=bool(entry.get("pends_reviews", False)),
        **_money_cases(entry),
    )


def _money_cases(entry: dict[str, Any]) -> dict[str, Any]:
    """The profile's fields for the money cases, from the payer's entry (each optional)."""
    return {
        "negotiated_discounts": tuple(
            (date.fromisoformat(start), int(percent))
            for start, percent in sorted(entry.get("negotiated_discounts", []))
        ),
        "mips": tuple(
            (date.fromisoformat(start), Decimal(penalty), Decimal(incentive))
            for start, penalty, incentive in sorted(entry.get("mips", []))
        ),
        "mips_penalized_percent": int(entry.get("mips_penalized_percent", 0)),
        "mips_rewarded_percent": int(entry.get("mips_rewarded_percent", 0)),
        "medical_necessity_percent": int(entry.get("medical_necessity_percent", 0)),
        "review_after_days": int(entry.get("review_after_days", 0)),
        "review_percent": int(entry.get("review_percent", 0)),
        "new_original_after_denial": bool(entry.get("new_original_after_denial", False)),
    }


def _cost_sharing(sharing: dict[str, str]) -> CostSharing:
    def optional(key: str) -> Decimal | None:
        return Decimal(sharing[key]) if key in sharing else None

    return CostSharing(
        deductible=Decimal(sharing["deductible"]),
        coinsurance=Decimal(sharing["coinsurance"]),
        copay=Decimal(sharing["copay"]),
        family_deductible=optional("family_deductible"),
        out_of_pocket=optional("out_of_pocket"),
        family_out_of_pocket=optional("family_out_of_pocket"),
        household_met=Decimal(sharing.get("household_met", "0")),
    )


def _administrator(entry: dict[str, str] | None) -> tuple[str, str, str] | None:
    return None if entry is None else (entry["payer_id"], entry["name"], entry.get("phone", ""))


@lru_cache(maxsize=1)
def shipped() -> PayerBook:
    return parse((resources.files("clearinghouse_simulator") / "data" / "payers.toml").read_text())
