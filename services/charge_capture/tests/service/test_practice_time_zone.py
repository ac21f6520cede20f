"""A practice's time zone: set up, shown, carried on its charges, and the calendar its business dates follow (a date of
service after the practice's today is held as in the future)."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from charge_capture import handlers
from charge_capture_testkit import PRACTICE_NPI, Practice, address, encounter, outbox
from claimstream_platform import dates
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncEngine

LOS_ANGELES = ZoneInfo("America/Los_Angeles")
SESSION_DAY = date(2026, 3, 2)  # Pacific standard time: UTC-8, New York UTC-5


def clock_at(monkeypatch: pytest.MonkeyPatch, moment: datetime) -> None:
    """Charge capture's business date, asked at `moment` (in whatever zone it asks for)."""

    def business_date(time_zone: str | None = None) -> date:
        return dates.business_date(time_zone, at=moment)

    monkeypatch.setattr(handlers, "business_date", business_date)


async def test_a_practice_keeps_its_time_zone_and_an_unknown_zone_is_refused_naming_the_field(
    client: AsyncClient, auth: dict[str, str], practice_in_los_angeles: Practice
) -> None:
    shown = (await client.get(f"/v1/practices/{practice_in_los_angeles.id}", headers=auth)).json()
    assert shown["time_zone"] == practice_in_los_angeles.data["time_zone"] == "America/Los_Angeles"
    listed = (await client.get("/v1/practices", headers=auth)).json()["items"]
    assert [p["time_zone"] for p in listed] == ["America/Los_Angeles"]
    body = {"name": "X", "npi": PRACTICE_NPI, "tax_id": "12-3456789", "taxonomy": "261QM0801X", "address": address()}
    for zone in ("Mars/Olympus_Mons", "PST8PDT/../../etc", ""):
        refused = await client.post("/v1/practices", json={**body, "time_zone": zone}, headers=auth)
        assert refused.status_code == 422, zone
        assert [e["field"] for e in refused.json()["errors"]] == ["time_zone"]


@pytest.mark.parametrize(
    ("local_time", "days_after", "status"),
    [
        # 8 pm in Los Angeles: UTC is already tomorrow; the session of the day is today's
        ((20, 0), 0, "coded"),
        # 9:30 pm: New York (the default calendar) is tomorrow too; a session dated tomorrow is still in the future
        ((21, 30), 1, "needs_review"),
    ],
)
async def test_a_practice_in_los_angeles_counts_its_dates_on_its_own_calendar(
    client: AsyncClient,
    auth: dict[str, str],
    practice_in_los_angeles: Practice,
    engine: AsyncEngine,
    monkeypatch: pytest.MonkeyPatch,
    local_time: tuple[int, int],
    days_after: int,
    status: str,
) -> None:
    moment = datetime(2026, 3, 2, *local_time, tzinfo=LOS_ANGELES)
    clock_at(monkeypatch, moment)
    service_date = SESSION_DAY + timedelta(days=days_after)
    body = encounter(practice_in_los_angeles.id, service_date=service_date.isoformat())
    result = (await client.post("/v1/encounters", json=body, headers=auth)).json()
    assert result["status"] == status
    future = [p["rule"] for p in result["problems"] if p["rule"] == "service-date.future"]
    assert future == ([] if status == "coded" else ["service-date.future"])
    if status == "coded":
        captured = [payload for kind, payload in await outbox(engine) if kind == "charge.captured"]
        assert [payload["time_zone"] for payload in captured] == ["America/Los_Angeles"]


async def test_a_practice_without_a_time_zone_keeps_the_default_calendar(
    client: AsyncClient, auth: dict[str, str], practice: Practice, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At 9:30 pm in Los Angeles it is already tomorrow in New York: a practice that said no zone dates by it."""
    assert (await client.get(f"/v1/practices/{practice.id}", headers=auth)).json()["time_zone"] is None
    clock_at(monkeypatch, datetime(2026, 3, 2, 21, 30, tzinfo=LOS_ANGELES))
    body = encounter(practice.id, service_date=(SESSION_DAY + timedelta(days=1)).isoformat())
    assert (await client.post("/v1/encounters", json=body, headers=auth)).json()["status"] == "coded"
