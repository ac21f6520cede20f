"""How a payer picks "a share of" its claims or clinicians: by a number from 0 to 99 fixed by what identifies them
(a claim number, an NPI, a seed), so that the same claims are picked on every run. Pure."""

import hashlib


def share(*key: object) -> int:
    """0-99, the same for the same key; `share(x) < percent` picks `percent` % of the x's."""
    digest = hashlib.sha256("|".join(str(part) for part in key).encode()).hexdigest()
    return int(digest[:8], 16) % 100
