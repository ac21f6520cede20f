"""What the workload's practices do: their clinicians, charges, services, diagnoses and the defects a share of
their encounters carry. Data only; `workload.py` draws from it with a seeded generator."""

from typing import Any

# Clinicians: credential, taxonomy, how many per practice. NPIs are generated with a valid check digit.
STAFF = [("MD", "2084P0800X", 1), ("NP", "363LP0808X", 1), ("PhD", "103TC0700X", 1), ("LCSW", "1041C0700X", 2),
         ("LPC", "101YP2500X", 1), ("LMFT", "106H00000X", 1)]  # fmt: skip
PRESCRIBERS = ("MD", "NP")
CHARGES = {
    "90791": "200.00", "90792": "240.00", "90832": "95.00", "90834": "140.00", "90837": "185.00",
    "90833": "85.00", "90836": "110.00", "90838": "140.00", "90839": "190.00", "90840": "90.00",
    "90846": "130.00", "90847": "140.00", "90853": "45.00", "90785": "20.00", "99213": "110.00",
    "99214": "160.00", "96130": "150.00", "96131": "120.00", "96136": "60.00", "96137": "55.00", "H0004": "30.00",
}  # fmt: skip
# (weight, service, who may deliver it)
SERVICES: list[tuple[int, dict[str, Any], tuple[str, ...]]] = [
    (30, {"kind": "psychotherapy", "minutes": 53}, ("LCSW", "LPC", "LMFT", "PhD")),
    (28, {"kind": "psychotherapy", "minutes": 45}, ("LCSW", "LPC", "LMFT", "PhD")),
    (5, {"kind": "psychotherapy", "minutes": 30}, ("LCSW", "LPC", "LMFT")),
    (8, {"kind": "diagnostic_evaluation"}, ("LCSW", "LPC", "PhD")),
    (3, {"kind": "diagnostic_evaluation_medical"}, PRESCRIBERS),
    (11, {"kind": "psychotherapy_with_em", "minutes": 30, "em_code": "99214"}, PRESCRIBERS),
    (5, {"kind": "group", "minutes": 90}, ("LCSW", "LPC")),
    (5, {"kind": "family_with_patient", "minutes": 50}, ("LMFT",)),
    (1, {"kind": "crisis", "minutes": 80}, ("PhD", "LCSW")),
    (2, {"kind": "psychological_testing", "evaluation_minutes": 120, "administration_minutes": 60}, ("PhD",)),
    (2, {"kind": "psychotherapy", "minutes": 45, "interactive_complexity": True}, ("LCSW", "PhD")),
]
INTAKE: tuple[dict[str, Any], tuple[str, ...]] = ({"kind": "diagnostic_evaluation"}, ("LCSW", "LPC", "PhD"))
# a dual eligible's usual visit: medication management with psychotherapy (an E/M and its add-on)
MEDICATION_MANAGEMENT: tuple[dict[str, Any], tuple[str, ...]] = (
    {"kind": "psychotherapy_with_em", "minutes": 30, "em_code": "99214"},
    PRESCRIBERS,
)
DIAGNOSES = [["F33.1"], ["F41.1"], ["F43.10", "Z63.0"], ["F32.A"], ["F90.0"], ["F33.1", "F41.1"], ["F40.10"]]
DEFECTS = [
    "missing_authorization",
    "telehealth_without_modality",
    "z_code_primary",
    "inactive_coverage",
    "late_filing",
    "duplicate",
]
FIRST = ["Avery", "Jordan", "Riley", "Casey", "Morgan", "Quinn", "Rowan", "Sage", "Parker", "Emerson"]
LAST = ["Rivera", "Chen", "Okafor", "Novak", "Haddad", "Kowalski", "Mensah", "Lindqvist", "Tanaka", "Silva"]
