"""Validation of X12 files with pyx12, for any test tree: the files we generate, and the malformed ones we read.

pyx12 parses its XML map of the control segments and of the transaction again for every document: about 0.7 s of
a validation that then takes a few hundredths. A test process parses each map once (`_read_maps_once`): in pyx12
4.0 (requirements/dev.txt) the walk over a document keeps its counts in a walker of its own, never in the map, so
the verdicts are the same (every file of the public corpus gave the same findings both ways). An earlier pyx12 that
counted on the map's nodes would not allow this."""

import io
import logging
from functools import cache
from typing import Any


def pyx12_problems(text: str) -> list[str]:
    """What pyx12 finds wrong with an interchange: empty when it validates."""
    valid, records, acknowledgment = _validate(text)
    if valid and not records:
        return []
    errors = [line for line in acknowledgment.split("~") if line.strip().startswith(("IK3", "IK4", "IK5*R"))]
    return records + errors


def pyx12_acknowledgment(text: str) -> str:
    """The 999 pyx12 writes for an interchange (one with ST03 set: pyx12 cannot acknowledge an 835)."""
    return _validate(text)[2]


def pyx12_verdict(text: str) -> list[str]:
    """As `pyx12_problems`, for any input: what pyx12 refuses to read at all (no ISA, an ISA it cannot split) is
    a problem it found, not an error of the test."""
    import pyx12.errors

    try:
        return pyx12_problems(text)
    except pyx12.errors.X12Error as refused:
        return [f"pyx12 cannot read it: {refused}"]


def _validate(text: str) -> tuple[bool, list[str], str]:
    import pyx12.params
    import pyx12.x12n_document

    _read_maps_once()

    records: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record.getMessage())

    logger = logging.getLogger("pyx12")
    handler = Collect(level=logging.ERROR)
    logger.addHandler(handler)
    try:
        acknowledgment = io.StringIO()
        valid = pyx12.x12n_document.x12n_document(pyx12.params.params(), io.StringIO(text), acknowledgment, None)
    finally:
        logger.removeHandler(handler)
    # pyx12 cannot write its own 999 for a transaction without ST03 (the 835 leaves it unused); that is not a
    # finding about the file.
    return bool(valid), [r for r in records if r != "Failed to create 999 response"], acknowledgment.getvalue()


@cache
def _read_maps_once() -> None:
    import pyx12.map_if
    import pyx12.params

    load = pyx12.map_if.load_map_file

    @cache
    def parsed(map_file: str, map_path: str | None) -> Any:
        return load(map_file, pyx12.params.params(), map_path)

    def load_map_file(map_file: str, _param: Any, map_path: str | None = None) -> Any:
        return parsed(map_file, map_path)  # the parameters are the defaults every validation here passes

    pyx12.map_if.load_map_file = load_map_file
