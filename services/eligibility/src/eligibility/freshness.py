"""How many days a payer's eligibility answer stays fresh: one of our payer facts (`claimstream_platform.payers`,
docs/domain/payers.md), read on the day of the visit."""

from datetime import date

from claimstream_platform.payers import payer_facts


def fresh_days(payer_id: str, on: date) -> int:
    return payer_facts(payer_id, on=on).eligibility_fresh_days
