"""Text at the X12 boundary: every value we write is made valid for the X12 character set, in one place.

Names and addresses come from EHRs in any Unicode. Clearinghouses expect upper-case ASCII, and a delimiter
inside a value (`*`, `~`, `:`, `^`) would forge elements, components or whole segments. So every written value
goes through `x12_text`: accented letters are transliterated (Muñoz -> MUNOZ), delimiters and control
characters become spaces, and runs of spaces collapse. APIs call `refuse_unwritable` to answer 422 for a value
that would be left empty (a name written only in a script with no Latin transliteration).
"""

import re
import unicodedata
from functools import lru_cache

# The X12 extended character set less our four delimiters (element *, component :, repetition ^, segment ~).
_CLEAN = re.compile(r"[A-Z0-9 !\"&'()+,\-./;?=%@\[\]_{}\\|<>#$]*")
_UNSAFE = re.compile(r"[^A-Z0-9 !\"&'()+,\-./;?=%@\[\]_{}\\|<>#$]")
_SPACES = re.compile(r" {2,}")
# Latin letters that Unicode does not decompose into a base letter and a mark.
_LETTERS = str.maketrans(
    {"ß": "SS", "Æ": "AE", "æ": "AE", "Ø": "O", "ø": "O", "Œ": "OE", "œ": "OE", "Ł": "L", "ł": "L", "Đ": "D",
     "đ": "D", "Þ": "TH", "þ": "TH", "ı": "I", "ʼ": "'", "‘": "'", "’": "'", "“": '"', "”": '"', "–": "-",
     "—": "-"}
)  # fmt: skip
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # what no stored text may hold (tab, LF, CR allowed)


@lru_cache(maxsize=65536)  # the same codes, qualifiers and names recur in every claim of a batch
def x12_text(value: str) -> str:
    """`value` as it may stand in an X12 element: upper-case ASCII without delimiters or control characters."""
    upper = value.upper()
    if _CLEAN.fullmatch(upper) and "  " not in upper and upper == upper.strip():
        return upper  # the common case, kept cheap: 837P generation writes millions of these
    decomposed = unicodedata.normalize("NFKD", value.translate(_LETTERS))
    ascii_only = "".join(c for c in decomposed if not unicodedata.combining(c)).encode("ascii", "ignore").decode()
    return _SPACES.sub(" ", _UNSAFE.sub(" ", ascii_only.upper())).strip()


def refuse_unwritable(value: str) -> str:
    """For API validators: refuse control characters, and text that X12 cannot carry at all."""
    if CONTROL.search(value):
        raise ValueError("must not contain control characters")
    if value.strip() and not x12_text(value):
        raise ValueError("cannot be written in an X12 claim (no Latin letters or digits)")
    return value
