"""The billing office's calendar: the business date, or for a demo one that runs `speed` times as fast from the
moment the service started, so that `make run` sees a month end within minutes (BILLING_CLOCK_SPEED; 1 in
production)."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from claimstream_platform.dates import business_date


@dataclass(frozen=True)
class Clock:
    speed: float = 1.0
    origin: datetime = field(default_factory=lambda: datetime.now(UTC))

    def today(self) -> date:
        now = datetime.now(UTC)
        return business_date(at=self.origin + (now - self.origin) * self.speed)
