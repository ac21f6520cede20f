"""What the coding engine works on: the encounter, its lines, the issues found, and the state its steps share."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

from charge_capture.coding import supervision
from charge_capture.coding.policy import PayerPolicy
from charge_capture.coding.rulebook import Rules

ServiceKind = Literal[
    "psychotherapy",
    "psychotherapy_with_em",
    "diagnostic_evaluation",
    "diagnostic_evaluation_medical",
    "crisis",
    "family_with_patient",
    "family_without_patient",
    "group",
    "psychological_testing",
]
TIMED_KINDS: frozenset[str] = frozenset(
    {"psychotherapy", "psychotherapy_with_em", "crisis", "family_with_patient", "family_without_patient"}
)
TELEHEALTH_MODIFIERS = frozenset({"95", "93", "GT", "FQ", "GQ"})
TELEHEALTH_POS = frozenset({"02", "10"})
MENTAL_HEALTH_CATEGORIES = frozenset(
    {"evaluation", "evaluation_medical", "psychotherapy", "psychotherapy_addon", "crisis", "family", "group"}
)
MAX_MODIFIERS = 4
MAX_POINTERS = 4
CENT = Decimal("0.01")
# CMS place-of-service code set (public domain): the codes a professional claim may carry.
PLACES_OF_SERVICE = frozenset(
    f"{n:02d}"
    for n in (
        *range(1, 28),
        31,
        32,
        33,
        34,
        41,
        42,
        49,
        50,
        51,
        52,
        53,
        54,
        55,
        56,
        57,
        58,
        60,
        61,
        62,
        65,
        66,
        71,
        72,
        81,
        99,
    )
)


@dataclass(frozen=True)
class Telehealth:
    modality: Literal["video", "audio"]
    patient_at_home: bool = True


@dataclass(frozen=True)
class Procedure:
    code: str
    modifiers: tuple[str, ...] = ()
    units: int | None = None
    minutes: int | None = None
    diagnosis_pointers: tuple[int, ...] = ()


@dataclass(frozen=True)
class Service:
    kind: ServiceKind
    minutes: int | None = None
    em_code: str | None = None
    interactive_complexity: bool = False
    # psychological testing: minutes per activity
    evaluation_minutes: int = 0
    administration_minutes: int = 0
    technician_minutes: int = 0
    neuropsychological: bool = False


@dataclass(frozen=True)
class Encounter:
    service_date: date
    place_of_service: str
    diagnoses: tuple[str, ...]  # normalised (diagnoses.normalise), in the clinician's order
    service: Service | None = None
    procedures: tuple[Procedure, ...] = ()
    telehealth: Telehealth | None = None


@dataclass(frozen=True)
class FeeEntry:
    code: str
    modifiers: frozenset[str]
    amount: Decimal  # per unit


@dataclass(frozen=True)
class Issue:
    rule: str
    field: str
    message: str


@dataclass(frozen=True)
class Line:
    code: str
    modifiers: tuple[str, ...]
    units: int
    diagnosis_pointers: tuple[int, ...]
    amount: Decimal = Decimal("0.00")
    minutes: int | None = None
    source: str = "service"  # the request field this line came from, for issue fields


@dataclass(frozen=True)
class Coding:
    place_of_service: str
    lines: tuple[Line, ...]
    problems: tuple[Issue, ...]
    warnings: tuple[Issue, ...]
    arrangement: supervision.ArrangementKind = "own"  # who the claim names as rendering and supervising provider

    @property
    def coded(self) -> bool:
        return not self.problems

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0.00"))


@dataclass
class Work:
    """What the steps share while coding one encounter."""

    rules: Rules
    policy: PayerPolicy
    encounter: Encounter
    lines: list[Line] = field(default_factory=list)
    problems: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)

    def problem(self, rule: str, field_: str, message: str) -> None:
        self.problems.append(Issue(rule, field_, message))

    def warn(self, rule: str, field_: str, message: str) -> None:
        self.warnings.append(Issue(rule, field_, message))

    def add(self, code: str, units: int = 1, *, minutes: int | None = None, source: str = "service") -> None:
        self.lines.append(Line(code, (), units, (), minutes=minutes, source=source))


def category(rules: Rules, code: str) -> str:
    info = rules.code(code)
    return info.category if info else "unknown"
