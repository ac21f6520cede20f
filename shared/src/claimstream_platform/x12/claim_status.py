"""835 CLP02 claim status codes: the payer's place in coordination of benefits (shared X12 code list).

1/19 processed as primary, 2/20 as secondary, 3/21 as tertiary (19-21: and forwarded to the next payer, a
crossover); 4 (denied), 22 (reversal), 23 and 25 name no place.
"""

PAID_AS = {"1": "primary", "19": "primary", "2": "secondary", "20": "secondary", "3": "tertiary", "21": "tertiary"}


def paid_as(claim_status: str) -> str | None:
    """The place (primary, secondary, tertiary) CLP02 says the payer paid in, or None."""
    return PAID_AS.get(claim_status)
