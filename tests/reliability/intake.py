"""What became of an 835 the services received (an upload, or a document in the clearinghouse inbox), and of the
events a tenant's postings recorded, read as the installation reads its own tables."""

from typing import Any
from uuid import UUID

import httpx
from documents_world import rows

READ = "read"  # a read file's outcome: its remittances' statuses and its claim payments' states
REJECTED = "rejected"  # a refused file's: the reason, which names the segment and its position


async def file_outcome(database_url: str, file_id: UUID) -> tuple[Any, ...]:
    """A stored file's outcome: (rejected, its reason) or (read, its remittances' statuses, its payments' states)."""
    (file,) = await rows(database_url, "SELECT status, reason FROM remittance_posting.era_files WHERE id = $1", file_id)
    if file["status"] == REJECTED:
        return (REJECTED, file["reason"])
    remittances = await rows(
        database_url, "SELECT id, status FROM remittance_posting.remittances WHERE file_id = $1", file_id
    )
    payments = await rows(
        database_url,
        "SELECT state FROM remittance_posting.claim_payments WHERE remittance_id = ANY($1)",
        [r["id"] for r in remittances],
    )
    return (READ, *sorted(r["status"] for r in remittances), tuple(sorted(p["state"] for p in payments)))


async def inbox_outcome(database_url: str, document: int) -> tuple[Any, ...] | None:
    """The outcome of the inbox document the worker stored as `inbox:<id>`; None until it has."""
    found = await rows(
        database_url, "SELECT id FROM remittance_posting.era_files WHERE source = $1", f"inbox:{document}"
    )
    return await file_outcome(database_url, found[0]["id"]) if found else None


async def inbox_outcomes(database_url: str, documents: dict[str, int]) -> dict[str, tuple[Any, ...] | None]:
    return {name: await inbox_outcome(database_url, document) for name, document in documents.items()}


async def upload_outcome(database_url: str, response: httpx.Response) -> tuple[Any, ...]:
    """An upload's outcome: refused (422, nothing stored) with the reader's reason, else its stored file's."""
    assert response.status_code in (201, 422), response.text  # never a 500, never a duplicate: each file is new
    if response.status_code == 422:
        return (REJECTED, response.json()["detail"].removeprefix("the 835 cannot be read: "))
    return await file_outcome(database_url, UUID(response.json()["file_id"]))


async def outbox_of(database_url: str, tenant: UUID) -> list[Any]:
    """The tenant's events in remittance posting's outbox: sent, waiting, or held back with the relay's reason."""
    return await rows(
        database_url,
        "SELECT event_type, length(payload) AS size, sent_at, quarantined_at, quarantine_reason"
        " FROM remittance_posting.outbox WHERE tenant_id = $1",
        tenant,
    )
