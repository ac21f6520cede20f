"""`make bench`: 837P serialization speed (the claim submission target is 5,000 claims/s) beside the time pyx12
takes to validate the same file, and the 835 side: adjudication plus ERA writing by the simulator.

No servers: this is the pure code. Prints a table and writes bench/results/x12.json.
"""

import io
import json
import logging
import os
import sys
import time
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import uuid4

import pyx12.params
import pyx12.x12n_document
from claim_submission.domain.content import content_of
from claim_submission.outbound.x837 import ClaimToSend, Party, Submitter, build_837
from claimstream_platform.contracts.charge_capture import ChargeCaptured
from claimstream_platform.dates import business_date
from claimstream_platform.x12 import parse_interchange
from claimstream_platform.x12.p837 import read_837

CLAIMS = int(os.environ.get("BENCH_CLAIMS", "10000"))
RESULTS = Path(__file__).parent / "results" / "x12.json"
ADDRESS = {"line1": "100 Main St", "city": "Portland", "state": "OR", "postal_code": "972011234"}


PATIENT = {"first_name": "Pat", "last_name": "Doe", "birth_date": "1980-05-05", "sex": "U", "address": ADDRESS}
MEDICARE = {"payer_id": "SIMMCR", "name": "Medicare", "kind": "medicare", "claim_filing_indicator": "MB"}
PRACTICE = {"name": "Harbor Counseling", "npi": "1679576722", "tax_id": "987654321", "taxonomy": "261QM0801X"}
CLINICIAN = {"npi": "1245319599", "first_name": "Ben", "last_name": "Okafor", "credential": "LCSW"}


def charge_lines(n: int, telehealth: bool) -> list[dict[str, Any]]:
    """A session (every third a 45-minute one), with interactive complexity on every fifth visit."""
    session = "90837" if n % 3 else "90834"
    modifiers = ["95"] if telehealth else []
    lines = [_line(1, session, modifiers, Decimal("185.00"), [1, 2])]
    if n % 5 == 0:
        lines.append(_line(2, "90785", [], Decimal("20.00"), [1]))
    return lines


def _line(number: int, code: str, modifiers: list[str], amount: Decimal, pointers: list[int]) -> dict[str, Any]:
    return {
        "line_number": number,
        "code": code,
        "modifiers": modifiers,
        "units": 1,
        "amount": amount,
        "diagnosis_pointers": pointers,
    }


def charges(n: int) -> ChargeCaptured:
    telehealth = n % 2 == 0
    lines = charge_lines(n, telehealth)
    practice = uuid4()
    return ChargeCaptured.model_validate(
        {
            "tenant_id": uuid4(),
            "practice_id": practice,
            "encounter_id": uuid4(),
            "version": 1,
            "external_id": f"v{n}",
            "service_date": business_date() - timedelta(days=3),
            "place_of_service": "10" if telehealth else "11",
            "diagnoses": ["F33.1", "Z63.0"],
            "lines": lines,
            "total_amount": sum(x["amount"] for x in lines),
            "patient": PATIENT | {"external_id": f"p{n}"},
            "coverage": {"payer_id": "SIMMCR", "member_id": f"M{n:09d}", "relationship": "self"},
            "payer": MEDICARE,
            "billing_provider": PRACTICE | {"practice_id": practice, "address": ADDRESS},
            "rendering_provider": CLINICIAN | {"taxonomy": "1041C0700X"},
        }
    )


def main() -> int:
    items = [ClaimToSend(f"CS{n:010d}", "1", content_of(charges(n)).content) for n in range(CLAIMS)]
    submitter = Submitter("CSBENCH", "CLAIMSTREAM BENCH BILLING", "EDI DESK", "5035550100")
    receiver = Party("CLAIMSTREAMSIM", "SIMULATOR")
    started = time.perf_counter()
    text = build_837(items, submitter=submitter, receiver=receiver, control_number="1", now=datetime.now())
    generate = time.perf_counter() - started

    started = time.perf_counter()
    interchange = parse_interchange(text)
    claims = [c for t in interchange.groups[0].transactions for c in read_837(t, interchange.delimiters).claims]
    read = time.perf_counter() - started
    assert len(claims) == CLAIMS

    logging.getLogger("pyx12").setLevel(logging.CRITICAL)
    started = time.perf_counter()
    valid = pyx12.x12n_document.x12n_document(pyx12.params.params(), io.StringIO(text), io.StringIO(), None)
    validate = time.perf_counter() - started

    results = {
        "claims": CLAIMS,
        "bytes": len(text),
        "generate_seconds": round(generate, 3),
        "generate_claims_per_s": round(CLAIMS / generate),
        "read_back_claims_per_s": round(CLAIMS / read),
        "pyx12_seconds": round(validate, 2),
        "pyx12_claims_per_s": round(CLAIMS / validate),
        "pyx12_valid": valid,
    }
    print(f"\nX12 benchmark: {CLAIMS:,} claims in one 837P ({len(text) / 1e6:.1f} MB)")
    print(f"  generate   {results['generate_claims_per_s']:>9,} claims/s  ({generate:.2f} s; target 5,000/s)")
    print(f"  read back  {results['read_back_claims_per_s']:>9,} claims/s  ({read:.2f} s)")
    print(f"  pyx12      {results['pyx12_claims_per_s']:>9,} claims/s  ({validate:.2f} s; valid: {valid})")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2))
    return 0 if valid else 1


if __name__ == "__main__":
    sys.exit(main())
