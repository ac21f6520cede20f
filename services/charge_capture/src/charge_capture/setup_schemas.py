"""The REST contract of practice set-up: practices, providers, payers, policy overrides, a practice's own payer
facts and fee schedules."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Generic, Literal, TypeVar
from uuid import UUID

from pydantic import AfterValidator, BaseModel, Field, model_validator

from charge_capture.coding.policy import shipped_profiles
from charge_capture.fields import (
    AddressIn,
    Code,
    Credential,
    ExternalId,
    FilingIndicator,
    Input,
    Modifier,
    Name,
    Npi,
    PayerKind,
    TaxId,
    Taxonomy,
    Text,
    TimeZone,
)

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """A page of a listing: `next_cursor` is the `cursor` of the next page, None on the last."""

    items: list[T]
    next_cursor: str | None = None


class PracticeIn(Input):
    """A practice, or a solo clinician who bills under their own type-1 NPI (`billing_entity: individual`, with
    the clinician's names: the 837P's billing provider is then a person). `time_zone` (IANA) is where the practice
    keeps its calendar: its business dates are its own days (unsaid: the platform's default, US Eastern)."""

    name: Name
    npi: Npi
    tax_id: TaxId
    taxonomy: Taxonomy
    address: AddressIn
    billing_entity: Literal["organization", "individual"] = "organization"
    first_name: Text | None = None
    last_name: Text | None = None
    time_zone: TimeZone | None = None

    @model_validator(mode="after")
    def _an_individual_has_names(self) -> "PracticeIn":
        if self.billing_entity == "individual" and not (self.first_name and self.last_name):
            raise ValueError("a practice billing as an individual needs first_name and last_name")
        return self


class PracticeOut(BaseModel):
    id: UUID
    name: str
    npi: str
    tax_id: str
    taxonomy: str
    address: AddressIn
    billing_entity: str = "organization"
    first_name: str | None = None
    last_name: str | None = None
    time_zone: str | None = None


class ProviderIn(Input):
    npi: Npi
    first_name: Text
    last_name: Text
    credential: Credential
    taxonomy: Taxonomy


class ProviderOut(ProviderIn):
    id: UUID
    practice_id: UUID


def _profile(value: str | None) -> str | None:
    if value is not None and value not in shipped_profiles():
        raise ValueError(f"must be one of: {', '.join(sorted(shipped_profiles()))}")
    return value


class PayerIn(Input):
    payer_id: ExternalId
    name: Name
    kind: PayerKind
    claim_filing_indicator: FilingIndicator
    policy_profile: Annotated[str | None, AfterValidator(_profile)] = None


class PayerOut(PayerIn):
    id: UUID
    practice_id: UUID


class PolicyOverrideIn(Input):
    effective_from: date
    effective_to: date | None = None
    settings: dict[str, Any] = Field(min_length=1)

    @model_validator(mode="after")
    def _dates_in_order(self) -> "PolicyOverrideIn":
        if self.effective_to is not None and self.effective_to < self.effective_from:
            raise ValueError("effective_to is before effective_from")
        return self


class PolicyOverrideOut(PolicyOverrideIn):
    pass


class PayerFactsIn(Input):
    """A practice's own facts for a payer from the path's day: names and values as `claimstream_platform.payers`
    reads them (`{"timely_filing": "180 days"}`), checked there (a bad one is a 422 naming `facts.<name>`)."""

    effective_to: date | None = None
    facts: dict[str, Any]


class PayerFactsOut(BaseModel):
    payer_id: str
    effective_from: date
    effective_to: date | None
    facts: dict[str, Any]


class FeeIn(Input):
    code: Code
    modifiers: list[Modifier] = Field(default_factory=list, max_length=4)
    amount: Annotated[Decimal, Field(gt=0, max_digits=10, decimal_places=2)]


class FeeScheduleIn(Input):
    effective_from: date
    entries: list[FeeIn] = Field(min_length=1, max_length=10_000)

    @model_validator(mode="after")
    def _one_amount_per_code_and_modifiers(self) -> "FeeScheduleIn":
        keys = [(entry.code, frozenset(entry.modifiers)) for entry in self.entries]
        if len(keys) != len(set(keys)):
            raise ValueError("entries repeat a code with the same modifiers")
        return self


class FeeScheduleOut(BaseModel):
    """A version. Read back, `entries` is the first page of its entries (at most 50, by code) and
    `entries_next_cursor` the `cursor` of the next page of `.../versions/{id}/entries`, None when that was all; a
    PUT answers with the entries it was sent."""

    id: UUID
    payer_id: str
    effective_from: date
    created_at: datetime
    entries: list[FeeIn]
    entries_next_cursor: str | None = None
