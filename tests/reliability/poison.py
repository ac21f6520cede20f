"""Poison for scenario 6: records on claim submission's topic that no consumer may apply, each carrying what would
be PHI in its value (a name, a birth date, a member id) so that a log line or a dead letter's reason quoting it is
caught; and the valid claim behind them on the same partition."""

import json
from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

from claimstream_platform.contracts.claim_submission import ClaimCreated, ClaimLine
from effects import connect
from kafka_reader import header, read_topic
from topics import Headers, Message, Sent, encoded

PHI = ("Zelda", "Quist", "1980-02-14", "XK99812345")
KINDS = ("decode", "practice")  # a dead letter's kinds here: unreadable, or not its tenant's practice
STRANGER = "tenant that does not own the practice"
PATIENT = {"first_name": "Zelda", "last_name": "Quist", "birth_date": "1980-02-14", "member_id": "XK99812345"}


def a_claim(tenant: UUID, practice: UUID, *, charge: str = "180.00") -> ClaimCreated:
    """A claim as claim submission announces it, of one line."""
    claim_id = uuid4()
    number = f"P{claim_id.hex[:12].upper()}"
    return ClaimCreated(
        tenant_id=tenant,
        practice_id=practice,
        claim_id=claim_id,
        encounter_id=uuid4(),
        patient_control_number=number,
        payer_id="SIMCOM",
        frequency="1",
        total_charge=Decimal(charge),
        service_date=date(2026, 11, 10),
        lines=[
            ClaimLine(
                line_number=1, code="90837", modifiers=[], units=1, amount=Decimal(charge), control_number=f"{number}-1"
            )
        ],
        place_of_service="11",
        payer_kind="commercial",
    )


def poison(valid: Message, practice: UUID) -> dict[str, Message]:
    """Each kind of poison, keyed like the valid claim (its partition), each with an event id of its own."""
    payload = json.loads(valid.value or b"{}")
    invalid = {**payload, "claim_id": "QUIST ZELDA", "total_charge": "XK99812345"}
    return {
        "not JSON": _like(valid, value=b"NM1*QC*1*QUIST*ZELDA~DMG*D8*19800214~{'claim_id': "),
        "unknown type": _like(valid, ce_type=b"claimstream.claim.teleported.v1", value=_json(payload)),
        "schema-invalid": _like(valid, value=_json(invalid)),
        "tenant header not the payload's": _like(valid, ce_tenantid=str(uuid4()).encode(), value=_json(payload)),
        "tenant that does not own the practice": _another_tenants(valid, payload, practice),
    }


def _another_tenants(valid: Message, payload: dict[str, object], practice: UUID) -> Message:
    """Valid in itself, but its tenant is unknown here and does not own the practice it names."""
    stranger = str(uuid4())
    body = {**payload, "tenant_id": stranger, "practice_id": str(practice)}
    return _like(valid, ce_tenantid=stranger.encode(), value=_json(body))


def _json(payload: dict[str, object]) -> bytes:
    return json.dumps({**payload, "patient": PATIENT}).encode()  # an extra field: ignored by a valid event's reader


def _like(valid: Message, *, value: bytes, **changed: bytes) -> Message:
    headers: Headers = [(name, changed.get(name, content)) for name, content in valid.headers]
    headers = [(name, str(uuid4()).encode() if name == "ce_id" else content) for name, content in headers]
    return replace(valid, value=value, headers=headers)


def the_valid_claim(tenant: UUID, practice: UUID) -> tuple[ClaimCreated, Message]:
    claim = a_claim(tenant, practice)
    return claim, encoded(claim, at=datetime.now(UTC), source="claim-submission")


async def register_practice(database_url: str, practice: UUID, tenant: UUID) -> None:
    """The practice in the platform's registry, as charge capture registers one it sets up."""
    connection = await connect(database_url)
    try:
        await connection.execute("INSERT INTO platform.practices (id, tenant_id) VALUES ($1, $2)", practice, tenant)
    finally:
        await connection.close()


async def applied_by(database_url: str, claim_id: UUID) -> dict[str, bool]:
    """Whether each consumer of the topic holds the claim (remittance posting and denial management remember it,
    the projection folds it)."""
    connection = await connect(database_url)
    try:
        tables = ("remittance_posting.known_claims", "denial_management.claims", "projection.claims")
        return {
            table: bool(await connection.fetchval(f"SELECT count(*) FROM {table} WHERE claim_id = $1", claim_id))  # noqa: S608
            for table in tables
        }
    finally:
        await connection.close()


async def letters_for(servers: str, topic: str, event_ids: set[str]) -> list[dict[str, str]]:
    """The dead letters of these events (their headers, decoded) on `<topic>.dlq`."""
    found = []
    for record in await read_topic(servers, f"{topic}.dlq"):
        if header(record, "ce_id") in event_ids:
            found.append({name: content.decode(errors="replace") for name, content in record.headers})
    return found


def quoted_phi(text: str) -> list[str]:
    """The poison's PHI that `text` quotes, in any case."""
    return [marker for marker in PHI if marker.lower() in text.lower()]


def kind_of(poison_name: str) -> str:
    return "practice" if poison_name == STRANGER else "decode"


def assert_lettered_once(letters: list[dict[str, str]], bad: list[Sent], kinds: dict[str, str], groups: Any) -> None:
    """One letter per poison and group (each tried once: nothing in it can change on a retry), of its kind, naming
    where it came from, with a reason that quotes no PHI."""
    assert Counter((letter["ce_id"], letter["dlq_consumer"]) for letter in letters) == Counter(
        (sent.event_id, group) for sent in bad for group in groups
    )
    for letter, sent in ((letter, next(s for s in bad if s.event_id == letter["ce_id"])) for letter in letters):
        assert letter["dlq_kind"] == kinds[sent.event_id] and letter["dlq_reason"], letter
        assert (letter["dlq_topic"], letter["dlq_partition"], letter["dlq_offset"]) == (
            sent.topic,
            str(sent.partition),
            str(sent.offset),
        )
        assert not quoted_phi(letter["dlq_reason"]), letter["dlq_reason"]
    assert "unknown event type claimstream.claim.teleported.v1" in {letter["dlq_reason"] for letter in letters}


def assert_logged_without_phi(log: Path, bad: list[Sent]) -> None:
    """The worker logged each dead letter (its origin, never its payload), and its log holds no PHI at all."""
    logged = log.read_text()
    lines = [json.loads(line) for line in logged.splitlines() if '"event dead-lettered"' in line]
    found = {(line["topic"], line["partition"], line["offset"]) for line in lines}
    assert {(sent.topic, sent.partition, sent.offset) for sent in bad} <= found, f"{log.name}: a letter not logged"
    assert not quoted_phi(logged), f"{log.name} holds PHI"
