"""The payer rules the scrubber holds a claim by: timely filing, and the codes that need a prior authorization (from
the first visit, or after a number of visits in a calendar year). They are the platform's payer facts
(`claimstream_platform.payers`, docs/domain/payers.md), the one home of what we know of each payer, with the
claim's practice's own overrides of them over ours; this module only says which of them the scrubber reads. Pure:
`rules_for` is the one way to read them."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from claimstream_platform.dates import filing_deadline
from claimstream_platform.payers import Layer, payer_facts

from claim_submission.domain.content import ClaimContent


@dataclass(frozen=True)
class PayerRules:
    timely_filing_days: int | None  # a window counted in days, or
    timely_filing_months: int | None  # one counted in calendar months ("one calendar year": 12)
    prior_auth_codes: frozenset[str]  # need an authorization from the first visit
    prior_auth_after_visits: int | None = None  # visits in the calendar year after which ...
    prior_auth_visit_codes: frozenset[str] = frozenset()  # ... these need one too

    def counts_visits(self, charges: ClaimContent) -> bool:
        """Whether the claim's need for an authorization depends on the patient's visits this year."""
        return self.prior_auth_after_visits is not None and any(
            line.code in self.prior_auth_visit_codes for line in charges.lines
        )

    def filing_deadline(self, service_date: date) -> date:
        return filing_deadline(service_date, days=self.timely_filing_days, months=self.timely_filing_months)

    def window(self) -> str:
        return f"{self.timely_filing_months} months" if self.timely_filing_months else f"{self.timely_filing_days} days"


def rules_for(payer_id: str, kind: str, on: date, overrides: Sequence[Layer] = ()) -> PayerRules:
    """What the scrubber needs of the payer's facts in force on `on` (the date of service), with the claim's
    practice's own overrides of this payer (`overrides`, docs/domain/payers.md) over ours."""
    facts = payer_facts(payer_id, kind, on=on, overrides=overrides)
    window, authorization = facts.timely_filing, facts.authorization
    return PayerRules(
        timely_filing_days=None if window.months else window.days,
        timely_filing_months=window.months,
        prior_auth_codes=authorization.always,
        prior_auth_after_visits=authorization.after_visits,
        prior_auth_visit_codes=authorization.visit_codes,
    )
