"""An 835 the stack posted, received again as a clearinghouse or a biller sends it again: into the clearinghouse
inbox (the same bytes, or the same ERA in a new interchange) and uploaded to remittance posting."""

import asyncio
import time
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg
import httpx
from claimstream_devtools.running_services import Services
from claimstream_devtools.testing import Keys
from effects import connect


@dataclass(frozen=True)
class PostedEra:
    file_id: UUID
    content: str
    submitter: UUID  # the clearinghouse account whose inbox it came through


async def an_era_of(database_url: str, tenant: UUID) -> PostedEra | None:
    """A file from the clearinghouse inbox whose remittances are all the tenant's, one of them posted."""
    connection = await connect(database_url)
    try:
        row = await connection.fetchrow(
            "SELECT f.id, f.content, d.submitter FROM remittance_posting.era_files f"
            " JOIN clearinghouse_simulator.documents d ON f.source = 'inbox:' || d.id"
            " WHERE EXISTS (SELECT 1 FROM remittance_posting.remittances r WHERE r.file_id = f.id"
            "   AND r.tenant_id = $1 AND r.status = 'posted')"
            " AND NOT EXISTS (SELECT 1 FROM remittance_posting.remittances r WHERE r.file_id = f.id"
            "   AND r.tenant_id IS DISTINCT FROM $1)"
            " ORDER BY f.created_at LIMIT 1",
            tenant,
        )
        return PostedEra(row["id"], row["content"], row["submitter"]) if row else None
    finally:
        await connection.close()


def reenveloped(x12: str) -> str:
    """The same ERA in a new interchange: each ISA13 and its IEA02 numbered anew, nothing else changed. Other bytes,
    so only the payer's trace (TRN02 with TRN03, the payer and the payee) can tell it was posted before."""
    separator, terminator = x12[3], x12[105]
    segments = x12.split(terminator)
    for n, segment in enumerate(segments):
        elements = segment.split(separator)
        place = {"ISA": 13, "IEA": 2}.get(elements[0].strip())
        if place is not None:
            elements[place] = f"{(int(elements[place]) + 500_000_000) % 10**9:09d}"
            segments[n] = separator.join(elements)
    return terminator.join(segments)


async def into_the_inbox(database_url: str, submitter: UUID, contents: list[str], *, within: float = 60) -> list[int]:
    """Documents the clearinghouse delivers to the account's inbox; returns their ids once remittance posting's
    intake has taken (acknowledged) every one of them (bounded)."""
    connection = await connect(database_url)
    try:
        ids = [
            await connection.fetchval(
                "INSERT INTO clearinghouse_simulator.documents (submitter, kind, content) VALUES ($1, '835', $2)"
                " RETURNING id",
                submitter,
                content,
            )
            for content in contents
        ]
        deadline = time.monotonic() + within
        while await _waiting(connection, ids) and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        return ids
    finally:
        await connection.close()


async def _waiting(connection: asyncpg.Connection, ids: list[int]) -> int:
    return int(
        await connection.fetchval(
            "SELECT count(*) FROM clearinghouse_simulator.documents WHERE id = ANY($1) AND acknowledged_at IS NULL",
            ids,
        )
    )


async def stored_from_inbox(database_url: str, document_ids: list[int]) -> dict[int, list[str]]:
    """Per inbox document, the statuses of the remittances stored from it (none: its file was recognised whole)."""
    connection = await connect(database_url)
    try:
        rows = await connection.fetch(
            "SELECT f.source, r.status FROM remittance_posting.era_files f"
            " LEFT JOIN remittance_posting.remittances r ON r.file_id = f.id WHERE f.source = ANY($1)",
            [f"inbox:{n}" for n in document_ids],
        )
    finally:
        await connection.close()
    found: dict[int, list[str]] = {n: [] for n in document_ids}
    for row in rows:
        found[int(row["source"].removeprefix("inbox:"))].append(row["status"])
    return found


async def uploaded(services: Services, keys: Keys, tenant: UUID, content: str) -> tuple[int, dict[str, Any]]:
    """The 835 uploaded by the tenant's biller: the answer's status and body."""
    headers = {
        "Authorization": f"Bearer {keys.issuer.issue(tenant_id=tenant, roles=['biller'])}",
        "Content-Type": "application/edi-x12",
    }
    async with httpx.AsyncClient(base_url=services.remittance_posting, headers=headers, timeout=30) as client:
        answer = await client.post("/v1/remittances", content=content.encode())
    return answer.status_code, answer.json()


async def listed(services: Services, keys: Keys, tenant: UUID, path: str) -> Any:
    """What remittance posting lists to the tenant's biller at `path` (its remittances, its exceptions queue)."""
    headers = {"Authorization": f"Bearer {keys.issuer.issue(tenant_id=tenant, roles=['biller'])}"}
    async with httpx.AsyncClient(base_url=services.remittance_posting, headers=headers, timeout=10) as client:
        answer = await client.get(path, params={"limit": 200})
    assert answer.status_code == 200, answer.text
    return answer.json()
