"""For the tests of the services that ask payers in real time (eligibility, prior authorization): the clearinghouse
simulator in this process as the far side of the platform's real client, a clearinghouse that holds its answer
until told, what database connections an app holds, and a commit made to fail once.

The simulator is the real code against its own schema (as claim submission's tests use it), so "the clearinghouse
received one 270" is what the simulator itself recorded, not what a fake counted."""

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

import httpx
import pytest
from claimstream_devtools.stand_ins import StandInClearinghouse
from claimstream_devtools.testing import (
    Keys,
    StackUnderTest,
    service_client,
    service_schema,
    service_settings,
)
from claimstream_platform.db import UnitOfWork
from claimstream_platform.realtime import RealTimeClearinghouse
from clearinghouse_simulator.service import SERVICE as SIMULATOR
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

CLEARINGHOUSE_ACCOUNT = UUID("00000000-0000-0000-0000-0000000c1ea1")  # this installation, as the simulator knows it
WAIT_SECONDS = 10


@dataclass(frozen=True)
class Simulated:
    gateway: RealTimeClearinghouse  # the platform's client, as the services use it
    simulator: httpx.AsyncClient  # the simulator's API, as this installation's account there

    async def answers(self, kind: str) -> int:
        """How many answers (271s, 278 responses) the simulator made: one per interchange it received."""
        found = await self.simulator.get("/v1/inbox", params={"kind": kind})
        assert found.status_code == 200, found.text
        return len(found.json()["items"])

    async def enroll(self, payer_id: str, member_id: str, first_name: str, last_name: str, birth_date: str) -> None:
        member = {
            "member_id": member_id,
            "first_name": first_name,
            "last_name": last_name,
            "birth_date": birth_date,
            "coverage_start": "2025-01-01",
        }
        enrolled = await self.simulator.post(f"/v1/payers/{payer_id}/members", json=member)
        assert enrolled.status_code in (200, 201), enrolled.text


@pytest.fixture
async def simulated(
    client: httpx.AsyncClient, stack: StackUnderTest, clearinghouse_keys: Keys, tmp_path: Path
) -> AsyncIterator[Simulated]:
    """The simulated clearinghouse, in this process, as the gateway of the service's app under test (`client`):
    a test module imports this fixture beside its own service's fixtures."""
    async with simulated_clearinghouse(stack, clearinghouse_keys, tmp_path) as found:
        client._transport.app.state.clearinghouse = found.gateway  # type: ignore[attr-defined]  # the app under test
        yield found


@asynccontextmanager
async def simulated_clearinghouse(stack: StackUnderTest, keys: Keys, folder: Path) -> AsyncIterator[Simulated]:
    """The simulator's app on a schema of its own, and the real client talking HTTP to it with this installation's
    credential (read from a file, as in production)."""
    async with service_schema(stack, SIMULATOR) as name:
        settings = service_settings(SIMULATOR, stack, name, keys.public_key_file)
        token = keys.issuer.issue(tenant_id=CLEARINGHOUSE_ACCOUNT)
        credential = folder / "clearinghouse-credential"
        credential.write_text(token)
        headers = {"Authorization": f"Bearer {token}"}
        async with service_client(SIMULATOR, settings, base_url="http://sim", headers=headers) as simulator:
            yield Simulated(RealTimeClearinghouse(simulator, credential), simulator)


class HeldClearinghouse(StandInClearinghouse):
    """A slow clearinghouse: each call waits, once it has arrived (`arrived`), until the test lets it answer."""

    def __init__(self) -> None:
        super().__init__()
        self.arrived = asyncio.Event()
        self.released = asyncio.Event()

    async def ask(self, interchange: str) -> list[str]:
        self.arrived.set()
        await asyncio.wait_for(self.released.wait(), WAIT_SECONDS)
        return await super().ask(interchange)


async def held_connections(engine: AsyncEngine, make_uow: Callable[[], UnitOfWork]) -> tuple[int, int]:
    """What `engine` holds now: connections checked out of its pool, and its role's sessions idle in a transaction
    (the database's own view of a transaction left open)."""
    role = engine.url.username
    async with make_uow() as uow:
        idle = await uow.session.scalar(
            text("SELECT count(*) FROM pg_stat_activity WHERE usename = :role AND state LIKE 'idle in transaction%'"),
            {"role": role},
        )
    return engine.pool.checkedout(), int(idle or 0)  # type: ignore[attr-defined]


async def fail_the_first_commit_that_answers(make_uow: Callable[[], UnitOfWork], table: str, asked: str) -> None:
    """The first commit that moves a row of `table` out of status `asked` fails, at COMMIT, as a serialization
    failure would (SQLSTATE 40001: the service answers 503); the ones after it commit. A deferred constraint trigger:
    a test's seam in the test's schema, nothing in the service."""
    statements = [
        "CREATE SEQUENCE answer_commits",
        """CREATE FUNCTION fail_first_answer() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
            SET search_path FROM CURRENT AS $$
            BEGIN
              IF nextval('answer_commits') = 1 THEN
                RAISE EXCEPTION 'the answer''s commit fails once' USING ERRCODE = '40001';
              END IF;
              RETURN NULL;
            END $$""",
        f"""CREATE CONSTRAINT TRIGGER fail_first_answer AFTER UPDATE ON {table}
            DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.status <> '{asked}')
            EXECUTE FUNCTION fail_first_answer()""",
    ]
    async with make_uow() as uow:
        for statement in statements:
            await uow.session.execute(text(statement))
        await uow.commit()


async def commits_failed(make_uow: Callable[[], UnitOfWork]) -> int:
    """How many times the trigger of `fail_the_first_commit_that_answers` ran (the failed commit's included)."""
    async with make_uow() as uow:
        ran = "SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM answer_commits"
        return int(await uow.session.scalar(text(ran)) or 0)
