"""Black box: a bounded, seeded schemathesis run over every service's OpenAPI finds no 5xx, and every answer is
as the schema documents it (status, media type, shape: problem documents included).

Valid and invalid requests (GenerationMode.POSITIVE and NEGATIVE) are generated from each running service's
own /openapi.json and sent with a real token. The budget is small and the seed fixed, so the run is quick and
repeatable; a finding is reported with the operation and status, and every 5xx counts, not just the first.
"""

from collections import Counter
from uuid import uuid4

import pytest
import schemathesis
from claimstream_devtools.running_services import Services
from claimstream_devtools.testing import Keys
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

# Eight of each kind an operation: twelve took the suite's two workers about 260 s together, much of it hypothesis
# drawing requests in this process (docs/performance.md, twentieth session).
EXAMPLES_PER_OPERATION = 8


@schemathesis.serializer("application/edi-x12")
def x12_text(_context: object, value: object) -> bytes:
    """Generated X12 bodies are strings (the simulator must refuse each that is not an interchange, with a 422)."""
    return str(value).encode("utf-8", "replace")


CONFORMANCE = [status_code_conformance, content_type_conformance, response_schema_conformance]


def server_errors(base_url: str, headers: dict[str, str]) -> tuple[list[str], Counter[int]]:
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json")
    found: list[str] = []
    statuses: Counter[int] = Counter()
    for result in schema.get_all_operations():
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                probe(result.ok(), mode, base_url, headers, found, statuses)
            except Unsatisfiable:
                pass  # an operation with nothing to get wrong (no parameters, no body) has no invalid requests
    return found, statuses


def probe(
    operation: schemathesis.APIOperation,
    mode: GenerationMode,
    base_url: str,
    headers: dict[str, str],
    found: list[str],
    statuses: Counter[int],
) -> None:
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def call(case: schemathesis.Case) -> None:
        response = case.call(base_url=base_url, headers=headers, timeout=15)
        statuses[response.status_code] += 1
        if response.status_code >= 500:
            found.append(f"{operation.label} ({mode.value}): {response.status_code} {response.text[:160]}")
        try:  # the answer is one the schema documents: its status, media type and shape (problems included)
            case.validate_response(response, checks=CONFORMANCE)
        except Exception as failure:
            found.append(
                f"{operation.label} ({mode.value}): {response.status_code} not as documented: {failure!s:.300}"
            )

    call()


@pytest.mark.parametrize(
    "service",
    [
        "charge_capture",
        "claim_submission",
        "remittance_posting",
        "denial_management",
        "projection",
        "eligibility",
        "prior_authorization",
        "patient_billing",
        "billing_office",
        "console",
        "simulator",
    ],
)
def test_no_request_the_schema_allows_or_refuses_answers_5xx(
    services: Services, keys: Keys, clearinghouse_keys: Keys, service: str
) -> None:
    tenant = uuid4()
    if service == "simulator":  # the simulator's own account and operator roles
        token = clearinghouse_keys.issuer.issue(tenant_id=tenant, roles=["account", "operator"])
    else:  # every tenant role
        token = keys.issuer.issue(tenant_id=tenant)
    headers = {"Authorization": f"Bearer {token}"}
    found, statuses = server_errors(getattr(services, service), headers)
    assert found == []
    assert statuses.total() > 50 and any(400 <= status < 500 for status in statuses)  # it really probed
