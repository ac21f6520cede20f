"""ICD-10-CM diagnoses: billable on a date of service, mental-health or Z-code, normalised for storage.

The code set is the CDC's (public domain), bundled by the `simple-icd-10-cm` package, pinned in
requirements. A package version holds one code set; `data/icd10cm_changes.csv` dates the codes that changed
between fiscal years (a new set takes effect each Oct 1, with April 1 updates), so that a late claim for an
old date of service is checked against the codes billable then.
"""

import csv
import importlib
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from types import ModuleType

from charge_capture.coding.rulebook import DATA

ICD10_START = date(2015, 10, 1)  # before this, US claims used ICD-9-CM
# The last day of the fiscal year whose code set the pinned package holds (FY2026). A later date of service is
# checked against it with a warning, until the next year's set is loaded.
CODE_SET_THROUGH = date(2026, 9, 30)
SHAPE = re.compile(r"^[A-Z][0-9][0-9A-Z](\.?[0-9A-Z]{1,4})?$")
UNSPECIFIED_WARNED = frozenset({"F32.9", "F41.9", "F39", "F99"})


@dataclass(frozen=True)
class BillableWindow:
    billable_from: date
    billable_to: date


def normalise(code: str) -> str:
    """Upper case with the dot after the category (F329 -> F32.9), the form we store and show."""
    code = code.strip().upper().replace(".", "")
    return code if len(code) <= 3 else f"{code[:3]}.{code[3:]}"


def well_formed(code: str) -> bool:
    return bool(SHAPE.match(code.strip().upper()))


@lru_cache(maxsize=1)
def code_set() -> ModuleType:
    """The bundled set, read on first use: reading it takes about 4 s of CPU and 170 MB here, which only a process
    that checks codes pays (the API, as it starts: `service._load_rules`), not the worker or a migration."""
    return importlib.import_module("simple_icd_10_cm")


@lru_cache(maxsize=1)
def _changes() -> dict[str, BillableWindow]:
    rows = csv.DictReader((DATA / "icd10cm_changes.csv").read_text().splitlines())
    return {
        row["code"]: BillableWindow(
            date.fromisoformat(row["billable_from"]),
            date.fromisoformat(row["billable_to"]) if row["billable_to"] else date.max,
        )
        for row in rows
    }


@lru_cache(maxsize=65536)
def billable(code: str, on: date) -> bool:
    """A leaf code of the set in force on `on` (a category such as F32 is never billable)."""
    if on < ICD10_START:
        return False
    window = _changes().get(code)
    if window is not None:
        return window.billable_from <= on <= window.billable_to
    icd = code_set()
    return bool(icd.is_valid_item(code) and icd.is_leaf(code))


def is_mental_health(code: str) -> bool:
    """ICD-10-CM chapter 5, F01-F99."""
    return code.startswith("F")


def is_z_code(code: str) -> bool:
    return code.startswith("Z")


@lru_cache(maxsize=4096)
def needs_etiology_first(code: str) -> bool:
    """A manifestation code: ICD-10-CM says "code first" the underlying condition (on the code or its category),
    e.g. F02.80 dementia in other diseases after G30.9 Alzheimer's disease. It is never listed before that
    condition. Read from the code set's own notes, so it follows the set."""
    icd = code_set()
    if not icd.is_valid_item(code):
        return False
    return any(icd.get_code_first(a) for a in (code, *icd.get_ancestors(code)) if icd.is_category_or_subcategory(a))
