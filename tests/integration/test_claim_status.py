"""Black box, claim status (276/277): a claim whose payer pays the patient's practice on paper sends no 835, so
nothing says it was paid; a biller's status inquiry goes through the clearinghouse (the simulator answers from its
adjudication state), its 277 finalizes the claim as paid, and the claim goes on the missing-ERA list with what the
payer says it paid, its answer on the claim's timeline."""

from decimal import Decimal
from typing import Any
from uuid import uuid4

import httpx
from claimstream_devtools.running_services import Services
from claimstream_devtools.testing import Keys
from test_encounter_to_claim import claim_for_a_visit
from test_patient_accounts import until


async def test_a_silent_claims_277_finalizes_it_and_raises_the_missing_era(services: Services, keys: Keys) -> None:
    tenant = uuid4()
    paper = {"deductible": "0", "remittance": "paper"}  # her plan's payments go out by check with a paper EOB
    claim, _ = await claim_for_a_visit(services, keys, tenant, first_name="Iris", last_name="Kowalczyk", member=paper)
    assert claim["status"] == "accepted", claim
    headers = {"Authorization": f"Bearer {keys.issuer.issue(tenant_id=tenant)}"}
    async with httpx.AsyncClient(base_url=services.claim_submission, headers=headers, timeout=10) as claims:
        paid = await until(lambda: _finalized(claims, claim["id"]), "a 277 that finalizes the claim", timeout=90)
        assert (paid["category"], paid["finding"]) == ("F1", "paid_without_era") and Decimal(paid["paid"]) > 0
        [missing] = [m for m in (await claims.get("/v1/missing-eras")).json() if m["claim_id"] == claim["id"]]
        assert Decimal(missing["paid"]) == Decimal(paid["paid"])
        shown = (await claims.get(f"/v1/claims/{claim['id']}")).json()
    assert shown["status"] == "accepted"
    assert any(entry["detail"].get("status") == "F1:65" for entry in shown["history"])


async def _finalized(claims: httpx.AsyncClient, claim_id: str) -> dict[str, Any] | None:
    """The latest answer once finalized; until then another inquiry (the payer adjudicates on its next cycle)."""
    inquiries = (await claims.get(f"/v1/claims/{claim_id}/status-inquiries")).json()
    if inquiries and inquiries[0]["category"] and inquiries[0]["category"].startswith("F"):
        found: dict[str, Any] = inquiries[0]
        return found
    if not inquiries or inquiries[0]["answered_at"]:
        asked = await claims.post(f"/v1/claims/{claim_id}/status-inquiries")
        assert asked.status_code == 202, asked.text
    return None
