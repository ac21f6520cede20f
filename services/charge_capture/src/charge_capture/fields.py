"""The field types of the REST contract: formats, check digits and what X12 can carry. Shape checks only."""

import re
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from claimstream_platform.identifiers import npi_is_valid
from claimstream_platform.x12.text import refuse_unwritable
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from charge_capture.coding import diagnoses

Writable = AfterValidator(refuse_unwritable)
# Licensed credentials, then pre-licensed ones that bill only under a licensed supervisor (docs/domain/coding.md §3).
Credential = Literal[
    "MD", "DO", "NP", "PA", "PhD", "PsyD", "LCSW", "LPC", "LMHC", "LMFT", "LMSW", "LPC-A", "LMHC-A", "LMFT-A", "PSYA"
]
PayerKind = Literal["medicare", "medicaid", "commercial"]
# X12 SBR09 claim filing indicator codes.
FilingIndicator = Literal[
    "09", "10", "11", "12", "13", "14", "15", "16", "17", "AM", "BL", "CH", "CI", "DS", "FI", "HM", "LM", "MA",
    "MB", "MC", "OF", "TV", "VA", "WC", "ZZ",
]  # fmt: skip
# Free text that reaches an 837P: refused when X12 cannot carry it (control characters, no Latin letters or
# digits at all); accents and delimiters are accepted and made valid where X12 is written.
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), Writable]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), Writable]
ExternalId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80), Writable]
Code = Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^[0-9A-Z]{5}$")]
Modifier = Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^[0-9A-Z]{2}$")]
Taxonomy = Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^[0-9]{3}[0-9A-Z]{6}X$")]
PlaceOfService = Annotated[str, StringConstraints(pattern=r"^[0-9]{2}$")]
Minutes = Annotated[int, Field(ge=0, le=24 * 60)]


def _npi(value: str) -> str:
    if not npi_is_valid(value):
        raise ValueError("must be 10 digits with a valid check digit")
    return value


def _tax_id(value: str) -> str:
    digits = value.replace("-", "")
    if not re.fullmatch(r"[0-9]{9}", digits):
        raise ValueError("must be 9 digits (an EIN, with or without the dash)")
    return digits


def _diagnosis(value: str) -> str:
    if not diagnoses.well_formed(value):
        raise ValueError("must be an ICD-10-CM code such as F33.1 or F331")
    return diagnoses.normalise(value)


def _time_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("must be an IANA time zone such as America/Los_Angeles") from None
    return value


Npi = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_npi)]
TaxId = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_tax_id)]
Diagnosis = Annotated[str, AfterValidator(_diagnosis)]
TimeZone = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64), AfterValidator(_time_zone)
]
AuthorizationNumber = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50), Writable]


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AddressIn(Input):
    line1: Name
    line2: Name | None = None
    city: Text
    state: Annotated[str, StringConstraints(to_upper=True, pattern=r"^[A-Za-z]{2}$")]
    postal_code: Annotated[str, StringConstraints(pattern=r"^[0-9]{5}([0-9]{4})?$")]
