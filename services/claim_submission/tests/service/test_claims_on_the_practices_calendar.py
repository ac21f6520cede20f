"""A claim's "today" is a day on its practice's calendar (`ChargeCaptured.time_zone`; none said: US Eastern): a
practice in Los Angeles that posts at 9:30 pm on the last day of a filing window is in time, while the same claim
of a practice in New York, where it is already past midnight, is late; and the primary's payment posted then is
recorded on June 10 for the secondary payer (2330B). On real PostgreSQL, with the clock pinned.
"""

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal
from uuid import uuid4

import pytest
from claim_submission.inbound import payments
from claim_submission.intake import encounters
from claim_submission.repository import ClaimWork
from claims_testkit import charges, claims_of, handle
from claimstream_platform import dates
from claimstream_platform.messaging.envelope import DecodedEvent, EventMetadata
from cob_testkit import SECONDARY, TWO_LINES, posting

# 9:30 pm on June 10 in Los Angeles; 0:30 am on June 11 in New York.
LATE_IN_LOS_ANGELES = datetime(2026, 6, 11, 4, 30, tzinfo=UTC)
SERVED = date(2025, 6, 10)  # Medicare's window (one calendar year) closes at the end of June 10, 2026


class _PinnedClock(datetime):
    """`datetime` whose `now` is LATE_IN_LOS_ANGELES: the clock the business date reads."""

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> "_PinnedClock":
        return cls.fromtimestamp(LATE_IN_LOS_ANGELES.timestamp(), tz)


@pytest.fixture
def late_in_los_angeles(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(dates, "datetime", _PinnedClock)
    assert dates.business_date("America/Los_Angeles") == date(2026, 6, 10)
    assert dates.business_date() == date(2026, 6, 11)
    yield


def delivered(event):  # type: ignore[no-untyped-def]
    return DecodedEvent(event, EventMetadata(uuid4(), "charge-capture", LATE_IN_LOS_ANGELES, correlation_id=uuid4()))


@pytest.mark.usefixtures("late_in_los_angeles")
async def test_the_filing_window_closes_on_the_practices_own_calendar(make_uow: Callable[[], ClaimWork]) -> None:
    coverage = charges().coverage.model_dump()
    in_los_angeles = charges(
        service_date=SERVED, time_zone="America/Los_Angeles", coverage={**coverage, "member_id": "1EG4TE5MK74"}
    )
    in_new_york = charges(service_date=SERVED, coverage={**coverage, "member_id": "1EG4TE5MK75"})
    async with make_uow() as uow:  # one run, two practices' calendars
        await encounters.on_charges_captured([delivered(in_los_angeles), delivered(in_new_york)], uow)
        await uow.commit()

    (western,) = await claims_of(make_uow, in_los_angeles.encounter_id)
    assert western.status == "ready", western.reasons  # still June 10 in Los Angeles: in time
    assert western.content["time_zone"] == "America/Los_Angeles"  # kept with the claim
    (eastern,) = await claims_of(make_uow, in_new_york.encounter_id)
    assert eastern.status == "held" and "timely-filing.expired" in str(eastern.reasons)  # June 11 in New York


@pytest.mark.usefixtures("late_in_los_angeles")
async def test_a_payment_is_recorded_on_the_practices_own_calendar(make_uow: Callable[[], ClaimWork]) -> None:
    coded = charges(
        service_date=date(2026, 6, 1),
        time_zone="America/Los_Angeles",
        lines=TWO_LINES,
        total_amount=Decimal("225.00"),
        other_coverages=[SECONDARY],
    )
    await handle(make_uow, encounters.on_charge_captured, coded)
    (primary,) = await claims_of(make_uow, coded.encounter_id)
    paid = posting(  # an 835 with no payment date (BPR16): the day it is recorded
        paid_on=None,
        claim_id=primary.id,
        patient_control_number=primary.patient_control_number,
        practice_id=primary.practice_id,
    )
    await handle(make_uow, payments.on_payment_posted, paid)

    _, secondary = await claims_of(make_uow, coded.encounter_id)
    assert secondary.payer_id == "SIMBCX"
    assert secondary.content["time_zone"] == "America/Los_Angeles"  # the later payer's claim keeps it
    [prior] = secondary.content["other_payers"]
    assert prior["adjudication"]["paid_on"] == "2026-06-10"  # not New York's June 11
