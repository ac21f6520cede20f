"""What a real-time question to a payer (a 270, a 278) needs from a REST caller: the patient, the coverage and the
provider, as request bodies. Eligibility and prior authorization both take them. A name may hold accents and
delimiters (they are written safely, `x12_text`); an identifier may not."""

from datetime import date
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints

from claimstream_platform.x12.text import refuse_unwritable

Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60), AfterValidator(refuse_unwritable)
]
Identifier = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9-]{1,80}$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PatientIn(Strict):
    external_id: Identifier  # the practice's patient id
    first_name: Name
    last_name: Name
    birth_date: date


class CoverageIn(Strict):
    payer_id: Identifier
    member_id: Identifier


class ProviderIn(Strict):
    npi: Annotated[str, StringConstraints(pattern=r"^[0-9]{10}$")]
    name: Name
