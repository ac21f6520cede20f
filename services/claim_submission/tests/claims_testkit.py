"""ChargeCaptured events as charge capture publishes them, for claim submission's tests."""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from claimstream_platform.contracts.charge_capture import ChargeCaptured

TENANT = UUID("00000000-0000-0000-0000-00000000c0de")
PRACTICE = UUID("00000000-0000-0000-0000-0000000000b1")
ADDRESS = {"line1": "100 Main St", "city": "Portland", "state": "OR", "postal_code": "972011234"}


def charges(**changes: Any) -> ChargeCaptured:
    """A coded 53-minute session by a social worker for a Medicare patient; `changes` override any field."""
    served = date.today() - timedelta(days=3)
    data: dict[str, Any] = {
        "tenant_id": TENANT,
        "practice_id": PRACTICE,
        "encounter_id": uuid4(),
        "version": 1,
        "external_id": f"visit-{uuid4().hex[:8]}",
        "service_date": served,
        "place_of_service": "11",
        "diagnoses": ["F33.1", "Z63.0"],
        "lines": [
            {
                "line_number": 1,
                "code": "90837",
                "modifiers": [],
                "units": 1,
                "amount": Decimal("185.00"),
                "diagnosis_pointers": [1, 2],
            },
        ],  # fmt: skip
        "total_amount": Decimal("185.00"),
        "patient": {
            "external_id": "p-1",
            "first_name": "Jane",
            "last_name": "Doe",
            "birth_date": date(1970, 1, 31),
            "sex": "F",
            "address": ADDRESS,
        },  # fmt: skip
        "coverage": {"payer_id": "SIMMCR", "member_id": "1EG4TE5MK73", "relationship": "self"},
        "payer": {
            "payer_id": "SIMMCR",
            "name": "Simulated Medicare Part B",
            "kind": "medicare",
            "claim_filing_indicator": "MB",
        },  # fmt: skip
        "billing_provider": {
            "practice_id": PRACTICE,
            "name": "Harbor Counseling",
            "npi": "1679576722",
            "tax_id": "987654321",
            "taxonomy": "261QM0801X",
            "address": ADDRESS,
        },  # fmt: skip
        "rendering_provider": {
            "npi": "1245319599",
            "first_name": "Ben",
            "last_name": "Okafor",
            "credential": "LCSW",
            "taxonomy": "1041C0700X",
        },  # fmt: skip
    }
    data.update(changes)
    return ChargeCaptured.model_validate(data)
