"""Validation of the X12 files we generate with pyx12, for any test tree."""

import io
import logging


def pyx12_problems(text: str) -> list[str]:
    """What pyx12 finds wrong with an interchange: empty when it validates."""
    import pyx12.params
    import pyx12.x12n_document

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
    records = [r for r in records if r != "Failed to create 999 response"]
    if valid and not records:
        return []
    errors = [line for line in acknowledgment.getvalue().split("~") if line.strip().startswith(("IK3", "IK4", "IK5*R"))]
    return records + errors
