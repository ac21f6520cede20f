"""Where the public X12 sample files are: CLAIMSTREAM_X12_CORPUS, else `shared/corpora/x12` beside the checkout.

Tests that read them are skipped (and reported as skipped) when neither exists.
"""

import os
from pathlib import Path

CORPUS = Path(
    os.environ.get("CLAIMSTREAM_X12_CORPUS")
    or Path(__file__).resolve().parents[2].parent / "shared" / "corpora" / "x12"
)
MISSING = "the public X12 corpus is not here (set CLAIMSTREAM_X12_CORPUS)"
