"""Scenarios 12 and 15 (docs/reliability.md): 835s that are malformed, oversized or hostile, and hostile JSON,
received by the running services both ways a file comes in: a biller's upload to the API process, and the
clearinghouse inbox that the worker reads. Nothing crashes (no 500, every process alive), every file has one
outcome that its bytes decide (refused naming the segment and its position, or posted with what it could not
match in the exceptions queue), our verdict on a file's structure is pyx12's, nothing past a cap is read whole,
and no record on Kafka is larger than its topic takes.

Not here: the claim check (a large document kept out of Kafka, the event carrying a reference to it), which is
part of the later PHI work; meanwhile an event too large for Kafka is held back in the outbox, with the broker's
refusal as its reason (scenario 15 makes one and says so)."""

import asyncio
import re
import time
from dataclasses import dataclass, field
from typing import Any
from uuid import uuid4

import httpx
from claimstream_devtools.running_services import Services
from claimstream_devtools.testing import Keys, StackUnderTest
from documents_world import Tenant, eventually, into_the_inbox, known_claims, new_tenant, post_visits
from hostile import MB, a_million_segments, fat_835, json_of, nested, sent_until_answered, trailers_claiming_a_million
from intake import REJECTED, inbox_outcome, inbox_outcomes, outbox_of, upload_outcome
from processes import MIB, Peak, peak_memory
from pyx12_check import pyx12_verdict
from record_sizes import end_offsets, largest_since, max_message_bytes
from remits import REFUSED, crowded, malformed_corpus

X12, JSON = {"content-type": "application/edi-x12"}, {"content-type": "application/json"}
EXPECTED_READ = {
    "balanced": ("posted", ("posted",)),
    "an unknown CARC and RARC": ("posted", ("posted",)),
    "BPR02 is not the sum of the CLP04s": ("held", ()),
    "a CLP for a claim nobody made": ("posted", ("posted", "unmatched")),
    "PLB interest and a recoupment": ("posted", ("posted",)),
    "negative amounts: a reversal and its correction": ("posted", ("posted", "posted")),
}


async def test_scenario_12_malformed_835s_are_refused_where_they_break_or_posted_with_their_exceptions(
    services: Services, keys: Keys, stack: StackUnderTest
) -> None:
    started, db, run = time.monotonic(), stack.database_url, uuid4().hex[:6].upper()
    tenant = await new_tenant(services, keys, seed=1200, practices=1, payer="SIMMCD")
    await post_visits(services, tenant, count=4, payer="SIMMCD", seed=1201)
    known = await eventually(lambda: known_claims(db, tenant.id), lambda k: len(k) >= 4, within=60)
    assert len(known) == 4, "the four claims reached remittance posting"
    by_inbox, by_upload = malformed_corpus(known, f"I{run}"), malformed_corpus(known, f"U{run}")
    # pyx12 reads its maps at the first file of a process (seconds; later files take hundredths): it reads them
    # while the services do
    verdicts = asyncio.create_task(asyncio.to_thread(lambda: {name: pyx12_verdict(t) for name, t in by_upload.items()}))
    documents = dict(zip(by_inbox, await into_the_inbox(services, db, "835", *by_inbox.values()), strict=True))
    async with httpx.AsyncClient(
        base_url=services.remittance_posting, headers=tenant.headers("biller") | X12, timeout=60
    ) as biller:
        responses = await asyncio.gather(*(biller.post("/v1/remittances", content=t) for t in by_upload.values()))
    read = await eventually(lambda: inbox_outcomes(db, documents), lambda o: None not in o.values(), within=60)
    uploaded = {name: await upload_outcome(db, response) for name, response in zip(by_upload, responses, strict=True)}
    pyx12 = await verdicts
    print(f"\nscenario 12: {len(by_upload)} files both ways, {time.monotonic() - started:.1f} s with the set-up")

    assert read == uploaded, "the same defect has the same outcome whichever way the file came"
    for name in REFUSED:
        assert uploaded[name][0] == REJECTED and re.match(r"segment \d+ \(\w+", uploaded[name][1]), uploaded[name]
    assert {name: uploaded[name][1:] for name in EXPECTED_READ} == EXPECTED_READ
    ours = {name: uploaded[name][0] == REJECTED for name in by_upload}
    assert ours == {name: bool(found) for name, found in pyx12.items()}, "our verdict on each file is pyx12's"
    async with httpx.AsyncClient(base_url=services.remittance_posting, headers=tenant.headers("biller")) as biller:
        listed = (await biller.get("/v1/remittances/exceptions")).json()
    items = listed["items"] if isinstance(listed, dict) else listed  # a page where the route pages, else a list
    queued = {p["patient_control_number"] for p in items}
    assert queued == {f"NOCLAIMI{run}", f"NOCLAIMU{run}"}, "the unknown claims' payments wait in the tenant's queue"
    assert services.exited() == []


LIMIT = 512 * MIB  # the most a receiving process may hold at its peak (a usual container limit)
TOO_LARGE = "MessageSizeTooLargeError"  # the relay's reason for an event the producer refuses for its size
REFUSED_UNREAD = [f"{size}, chunked {chunked}" for size in ("50 MB 835", "5 MB JSON") for chunked in (False, True)]


@dataclass
class Received:
    """What the services answered to each input, and their processes' peak memory while they took them."""

    answers: dict[str, Any] = field(default_factory=dict)
    peaks: list[Peak] = field(default_factory=list)


async def test_scenario_15_oversized_and_hostile_input_is_refused_before_it_is_read_whole(
    services: Services, keys: Keys, stack: StackUnderTest
) -> None:
    started, db, run = time.monotonic(), stack.database_url, uuid4().hex[:6].upper()
    tenant = await new_tenant(services, keys, seed=1500, practices=1, payer="SIMMCD")
    await post_visits(services, tenant, count=1, payer="SIMMCD", seed=1501)
    known = await eventually(lambda: known_claims(db, tenant.id), lambda k: len(k) == 1, within=60)
    offsets, huge, received = await end_offsets(stack.bootstrap_servers), fat_835(50 * MB, f"H{run}"), Received()
    small = [
        ("a million segments", a_million_segments(f"M{run}")),
        ("SE01 claims a million", trailers_claiming_a_million(f"S{run}")),
        ("a claim too large to announce", crowded(known[0], run)),
    ]
    await _uploads(services, tenant, small, huge.encode(), received)
    with peak_memory(services, ("remittance-posting", "worker")) as peaks:
        (document,) = await into_the_inbox(services, db, "835", huge)
        received.answers["50 MB 835 in the inbox"] = await eventually(
            lambda: inbox_outcome(db, document), lambda found: found is not None, within=90
        )
    received.peaks += peaks
    await _hostile_json(services, tenant, received)
    events = await eventually(lambda: outbox_of(db, tenant.id), lambda rows: all(_settled(r) for r in rows), within=30)
    largest = await largest_since(stack.bootstrap_servers, offsets)
    limits = await max_message_bytes(stack.bootstrap_servers, sorted(largest))
    held_back = [(r["event_type"], r["size"], r["quarantine_reason"]) for r in events if r["quarantined_at"]]
    print(f"\nscenario 15 in {time.monotonic() - started:.1f} s: " + "; ".join(map(str, received.peaks)))
    print(f"  {received.answers}\n  largest records {largest}\n  held back in the outbox: {held_back}")

    _refused_as_they_should(received.answers)
    assert [peak for peak in received.peaks if peak.peak > LIMIT] == []
    assert largest and all(size <= limits[topic] for topic, size in largest.items())
    assert all(r["sent_at"] or TOO_LARGE in (r["quarantine_reason"] or "") for r in events), "none left waiting"
    assert services.exited() == []


async def _uploads(
    services: Services, tenant: Tenant, small: list[tuple[str, str]], huge: bytes, received: Received
) -> None:
    """An 835 past the upload's cap, with its length said and chunked (refused before it is read), and `small`
    ones within the cap."""
    url, headers = f"{services.remittance_posting}/v1/remittances", tenant.headers("biller") | X12
    with peak_memory(services, ("remittance-posting", "api")) as peaks:
        for chunked in (False, True):
            answer = await sent_until_answered(url, headers, huge, chunked=chunked)
            received.answers[f"50 MB 835, chunked {chunked}"] = answer
        async with httpx.AsyncClient(headers=headers, timeout=60) as client:
            for name, text in small:
                body = (response := await client.post(url, content=text)).json()
                received.answers[name] = (response.status_code, body.get("detail") or body.get("file_id"))
    received.peaks += peaks


async def _hostile_json(services: Services, tenant: Tenant, received: Received) -> None:
    """5 MB of JSON to a route of the default cap and to the batch route (within its cap), and JSON nested far
    past any parser's depth."""
    url, headers = f"{services.charge_capture}/v1/encounters", tenant.headers("ehr-integration") | JSON
    with peak_memory(services, ("charge-capture", "api")) as peaks:
        for chunked in (False, True):
            answer = await sent_until_answered(url, headers, json_of(5 * MB), chunked=chunked)
            received.answers[f"5 MB JSON, chunked {chunked}"] = answer
        async with httpx.AsyncClient(headers=headers, timeout=60) as client:
            response = await client.post(f"{url}/batch", content=json_of(5 * MB))
            received.answers["5 MB JSON to the batch route"] = (response.status_code, response.json().get("failed"))
            for name, route, depth in [
                ("nested JSON", url, 100_000),
                ("nested JSON, batch", f"{url}/batch", 1_000_000),
            ]:
                received.answers[name] = (await client.post(route, content=nested(depth))).status_code
    received.peaks += peaks


def _settled(event: Any) -> bool:
    """Sent, or held back by the relay for good."""
    return bool(event["sent_at"] or event["quarantined_at"])


def _refused_as_they_should(answers: dict[str, Any]) -> None:
    for name in REFUSED_UNREAD:
        status, sent = answers[name]
        assert status == 413 and sent < 20 * MB, (name, "refused before its body was read")
    assert answers["a million segments"] == (422, "the 835 cannot be read: segment 1 (ISA): more than 500000 segments")
    assert answers["SE01 claims a million"][0] == 422 and "segment 3 (ST)" in answers["SE01 claims a million"][1]
    assert answers["a claim too large to announce"][0] == 201  # within every cap: read and posted
    assert answers["50 MB 835 in the inbox"] == (REJECTED, f"larger than {5 * MB} bytes: not read")
    assert answers["5 MB JSON to the batch route"] == (200, 1)  # within its 8 MiB: read, and the visit refused
    assert (answers["nested JSON"], answers["nested JSON, batch"]) == (400, 400)
