"""Posting on real PostgreSQL: every payment lands on its claim exactly once, or waits with its reason."""

from collections.abc import Callable
from decimal import Decimal
from types import SimpleNamespace
from typing import Any
from uuid import UUID, uuid4

import httpx
from claimstream_devtools.testing import Keys
from claimstream_platform.contracts.claim_submission import ClaimAccepted
from claimstream_platform.db import UnitOfWork
from remittance_posting import handlers
from remittance_testkit import PRACTICE, TENANT, Line, Payment, claim_created, era
from sqlalchemy import text

X12 = {"Content-Type": "application/edi-x12"}


async def announce(make_uow: Callable[[], UnitOfWork], *events: Any) -> None:
    async with make_uow() as uow:
        await handlers.on_claims_created([SimpleNamespace(event=e) for e in events], uow)
        await uow.commit()


async def accept(make_uow: Callable[[], UnitOfWork], created: Any, payer_claim_number: str) -> None:
    """The payer accepted the claim (277CA) under `payer_claim_number`."""
    async with make_uow() as uow:
        await handlers.on_claims_accepted([acceptance(created, payer_claim_number)], uow)
        await uow.commit()


def acceptance(created: Any, payer_claim_number: str | None) -> SimpleNamespace:
    """The delivery of claim submission's `ClaimAccepted` for the claim `created` announced."""
    return SimpleNamespace(
        event=ClaimAccepted(
            tenant_id=TENANT,
            practice_id=PRACTICE,
            claim_id=created.claim_id,
            encounter_id=created.encounter_id,
            patient_control_number=created.patient_control_number,
            payer_claim_number=payer_claim_number,
        )
    )


async def upload(client: httpx.AsyncClient, auth: dict[str, str], body: str, status: int = 201) -> dict[str, Any]:
    response = await client.post("/v1/remittances", content=body, headers={**auth, **X12})
    assert response.status_code == status, response.text
    result: dict[str, Any] = response.json()
    return result


async def outbox_types(make_uow: Callable[[], UnitOfWork]) -> list[str]:
    async with make_uow() as uow:
        return list(
            await uow.session.scalars(text("SELECT event_type FROM outbox WHERE topic <> 'access.v1' ORDER BY seq"))
        )


async def postings(client: httpx.AsyncClient, auth: dict[str, str], claim_id: UUID) -> list[dict[str, Any]]:
    response = await client.get(f"/v1/claims/{claim_id}/postings", headers=auth)
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()["items"]
    return found


async def test_an_uploaded_835_posts_its_claim_once_even_when_sent_again(
    client: httpx.AsyncClient, auth: dict[str, str], make_uow: Callable[[], UnitOfWork]
) -> None:
    created = claim_created("CS0000000101")
    await announce(make_uow, created)
    body = era(Payment("CS0000000101"))
    receipt = await upload(client, auth, body)
    (remittance,) = receipt["remittances"]
    assert (remittance["status"], remittance["total"], remittance["imbalances"]) == ("posted", "140.00", [])
    (posting,) = await postings(client, auth, created.claim_id)
    assert (posting["outcome"], posting["paid"], posting["state"]) == ("paid", "140.00", "posted")
    again = await upload(client, auth, body, status=200)  # the same bytes
    assert again["duplicate"] is True
    other_file = era(Payment("CS0000000101"), control="000000777")  # the same payer trace in another file
    (duplicate,) = (await upload(client, auth, other_file))["remittances"]
    assert duplicate["status"] == "duplicate"
    assert len(await postings(client, auth, created.claim_id)) == 1
    types = await outbox_types(make_uow)
    assert types.count("claimstream.payment.posted.v1") == 1
    assert types.count("claimstream.remittance.received.v1") == 2


async def test_a_remittance_a_cent_out_is_held_and_posts_nothing(
    client: httpx.AsyncClient, auth: dict[str, str], make_uow: Callable[[], UnitOfWork]
) -> None:
    created = claim_created("CS0000000102")
    await announce(make_uow, created)
    (held,) = (await upload(client, auth, era(Payment("CS0000000102"), total_delta=Decimal("0.01"))))["remittances"]
    assert held["status"] == "held"
    (difference,) = held["imbalances"]
    assert (difference["level"], difference["difference"]) == ("transaction", "0.01")
    assert await postings(client, auth, created.claim_id) == []
    assert "claimstream.payment.posted.v1" not in await outbox_types(make_uow)


async def test_an_unreadable_upload_is_refused_with_the_segment_and_changes_nothing(
    client: httpx.AsyncClient, auth: dict[str, str], make_uow: Callable[[], UnitOfWork]
) -> None:
    broken = era(Payment("CS0000000103")).replace("CLP*CS0000000103*1*180*", "CLP*CS0000000103*1*ABC*")
    response = await client.post("/v1/remittances", content=broken, headers={**auth, **X12})
    assert response.status_code == 422 and response.headers["content-type"] == "application/problem+json"
    assert "(CLP), element 3" in response.json()["detail"]
    async with make_uow() as uow:
        assert await uow.session.scalar(text("SELECT count(*) FROM era_files")) == 0


async def test_an_unmatched_payment_waits_then_posts_when_its_claim_arrives(
    client: httpx.AsyncClient, auth: dict[str, str], make_uow: Callable[[], UnitOfWork]
) -> None:
    await upload(client, auth, era(Payment("CS0000000104")))
    (waiting,) = (await client.get("/v1/remittances/exceptions", headers=auth)).json()["items"]
    assert waiting["state"] == "unmatched" and "CS0000000104" in waiting["reason"]
    created = claim_created("CS0000000104")
    await announce(make_uow, created)
    assert (await client.get("/v1/remittances/exceptions", headers=auth)).json()["items"] == []
    (posting,) = await postings(client, auth, created.claim_id)
    assert (posting["id"], posting["state"]) == (waiting["id"], "posted")


async def test_a_user_assigns_an_unmatched_payment_to_a_claim(
    client: httpx.AsyncClient, auth: dict[str, str], make_uow: Callable[[], UnitOfWork]
) -> None:
    created = claim_created("CS0000000105")
    await announce(make_uow, created)
    await upload(client, auth, era(Payment("KEYED-FROM-PAPER-7")))
    (waiting,) = (await client.get("/v1/remittances/exceptions", headers=auth)).json()["items"]
    url = f"/v1/remittances/exceptions/{waiting['id']}/assign"
    elsewhere = await client.post(url, json={"claim_id": str(uuid4())}, headers=auth)
    assert elsewhere.status_code == 404
    assigned = await client.post(url, json={"claim_id": str(created.claim_id)}, headers=auth)
    assert assigned.status_code == 200, assigned.text
    assert (assigned.json()["matched_by"], assigned.json()["claim_id"]) == ("assigned", str(created.claim_id))
    assert "claimstream.payment.posted.v1" in await outbox_types(make_uow)


async def test_a_reversal_and_its_corrected_payment_leave_the_right_balance(
    client: httpx.AsyncClient, auth: dict[str, str], make_uow: Callable[[], UnitOfWork]
) -> None:
    created = claim_created("CS0000000106")
    await announce(make_uow, created)
    await upload(client, auth, era(Payment("CS0000000106"), trace="PAY1"))
    reversal = Payment(
        "CS0000000106", status="22", lines=[Line(charge=Decimal("-180"), adjustments=[("CO", "45", Decimal("-40"))])]
    )
    corrected = Payment("CS0000000106", lines=[Line(adjustments=[("CO", "45", Decimal("30"))])])
    await upload(client, auth, era(reversal, corrected, trace="PAY2"))
    found = await postings(client, auth, created.claim_id)
    assert [(p["claim_status"], p["state"], p["paid"]) for p in found] == [
        ("1", "reversed", "140.00"),
        ("22", "posted", "-140.00"),
        ("1", "posted", "150.00"),
    ]
    assert sum(Decimal(p["paid"]) for p in found) == Decimal("150.00")
    assert "claimstream.claim.reversed.v1" in await outbox_types(make_uow)


async def test_a_recoupment_goes_to_the_provider_ledger_linked_to_its_claim(
    client: httpx.AsyncClient, auth: dict[str, str], make_uow: Callable[[], UnitOfWork]
) -> None:
    created = claim_created("CS0000000107")
    await announce(make_uow, created)
    await accept(make_uow, created, "SIMCOM0009")
    other = claim_created("CS0000000108")
    await announce(make_uow, other)
    body = era(
        Payment("CS0000000108"), plb=(("WO", "SIMCOM0009", Decimal("25.00")), ("L6", "SIMCOM0009", Decimal("-1.10")))
    )
    (remittance,) = (await upload(client, auth, body))["remittances"]
    assert (remittance["status"], remittance["total"]) == ("posted", "116.10")
    ledger = (await client.get("/v1/provider-adjustments", headers=auth)).json()["items"]
    assert sorted((e["reason"], e["amount"], e["claim_id"]) for e in ledger) == [
        ("L6", "-1.10", str(created.claim_id)),
        ("WO", "25.00", str(created.claim_id)),
    ]
    assert await postings(client, auth, created.claim_id) == []  # never on the patient's claim


async def test_another_tenants_remittance_is_not_found(
    client: httpx.AsyncClient, auth: dict[str, str], keys: Keys, make_uow: Callable[[], UnitOfWork]
) -> None:
    await announce(make_uow, claim_created("CS0000000109"))
    (remittance,) = (await upload(client, auth, era(Payment("CS0000000109"))))["remittances"]
    stranger = {"Authorization": f"Bearer {keys.issuer.issue(tenant_id=uuid4())}"}
    assert (await client.get(f"/v1/remittances/{remittance['id']}", headers=stranger)).status_code == 404
    mine = await client.get(f"/v1/remittances/{remittance['id']}", headers=auth)
    assert mine.status_code == 200 and [p["patient_control_number"] for p in mine.json()["payments"]] == [
        "CS0000000109"
    ]


async def test_the_recoupment_ledger_follows_a_forward_balance_until_it_is_taken_back(
    client: httpx.AsyncClient, auth: dict[str, str], make_uow: Callable[[], UnitOfWork]
) -> None:
    overpaid, paid_now, paid_later = (claim_created(f"CS000000012{n}") for n in range(3))
    await announce(make_uow, overpaid, paid_now, paid_later)
    await accept(make_uow, overpaid, "SIMCOM0120")
    # The payer recovers 200 it overpaid; this 835 pays only 140, so 60 is carried forward and it pays zero.
    carried = (("WO", "SIMCOM0120", Decimal("200")), ("FB", "SIMCOM0120", Decimal("-60")))
    (first,) = (await upload(client, auth, era(Payment(paid_now.patient_control_number), trace="R1", plb=carried)))[
        "remittances"
    ]
    assert (first["status"], first["total"]) == ("posted", "0.00")
    (open_,) = (await client.get("/v1/recoupments", headers=auth)).json()["provider_level"]
    assert (open_["claim_id"], open_["recovered"], open_["carried"], open_["open_forward_balance"]) == (
        str(overpaid.claim_id),
        "200.00",
        "60.00",
        "60.00",
    )
    taken = (("FB", "SIMCOM0120", Decimal("60")),)  # the next 835 takes the carried 60 back
    await upload(client, auth, era(Payment(paid_later.patient_control_number), trace="R2", plb=taken))
    (settled,) = (await client.get("/v1/recoupments", headers=auth)).json()["provider_level"]
    assert (settled["recovered"], settled["open_forward_balance"], settled["entries"]) == ("260.00", "0.00", 3)


async def test_a_reversal_no_payment_followed_is_a_recoupment_of_its_claim(
    client: httpx.AsyncClient, auth: dict[str, str], make_uow: Callable[[], UnitOfWork]
) -> None:
    reversed_, other = claim_created("CS0000000131"), claim_created("CS0000000132")
    await announce(make_uow, reversed_, other)
    await upload(client, auth, era(Payment("CS0000000131"), trace="V1"))
    reversal = Payment(
        "CS0000000131", status="22", lines=[Line(charge=Decimal("-180"), adjustments=[("CO", "45", Decimal("-40"))])]
    )
    await upload(client, auth, era(reversal, Payment("CS0000000132"), trace="V2"))
    (taken,) = (await client.get("/v1/recoupments", headers=auth)).json()["reversals"]
    assert (taken["claim_id"], taken["amount"]) == (str(reversed_.claim_id), "140.00")


async def test_an_835_uploaded_as_a_file_posts_like_a_raw_body_and_a_form_without_it_is_refused(
    client: httpx.AsyncClient, auth: dict[str, str], make_uow: Callable[[], UnitOfWork]
) -> None:
    created = claim_created("CS0000000130")
    await announce(make_uow, created)
    body = era(Payment("CS0000000130"), trace="FORM0130")
    response = await client.post(
        "/v1/remittances", files={"file": ("remit.835", body.encode(), "text/plain")}, headers=auth
    )
    assert response.status_code == 201, response.text
    (remittance,) = response.json()["remittances"]
    assert (remittance["status"], remittance["total"]) == ("posted", "140.00")
    assert [p["paid"] for p in await postings(client, auth, created.claim_id)] == ["140.00"]
    again = await client.post("/v1/remittances", content=body, headers={**auth, **X12})
    assert again.status_code == 200 and again.json()["duplicate"] is True  # the same bytes, however they came
    for form in (
        {"files": {"other": ("x.835", b"ISA", "text/plain")}},
        {"data": {"file": "a text part"}, "files": {"x": ("x", b"", "text/plain")}},
    ):
        refused = await client.post("/v1/remittances", headers=auth, **form)  # type: ignore[arg-type]
        assert refused.status_code == 422, refused.text
        assert refused.json()["errors"][0]["field"] == "file"
