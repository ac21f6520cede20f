"""A statement's plain words for the payers' codes (data/wording.toml, our own wording), pure."""

import tomllib
from functools import cache
from pathlib import Path

_DATA = Path(__file__).parent / "data" / "wording.toml"


@cache
def _words() -> dict[str, dict[str, str]]:
    return tomllib.loads(_DATA.read_text())


def explain(group: str, reason: str) -> str:
    """What the code means for the patient: its reason's words, or its group's when we have none for the reason."""
    words = _words()
    if group == "PR" and reason in words["reasons"]:
        return words["reasons"][reason]
    return words["groups"].get(group, "Adjusted by your plan.")
