"""Denial management, declared for the platform's service kit: the only wiring module (nothing else reads the
environment). `python -m denial_management migrate | api | worker`; the worker runs the consumer, the outbox
relay, the deadline loop and the bulk actions' loop."""

from pathlib import Path

from claimstream_platform.kit import Runtime, Service
from claimstream_platform.settings import ServiceSettings

from denial_management import api, bulk_api, limits_api, rules_api, work_api
from denial_management.bulk import BulkLoop
from denial_management.consumers import LOCKS, SUBSCRIPTIONS
from denial_management.deadline_loop import DeadlineLoop
from denial_management.repository import DenialWork


class DenialManagementSettings(ServiceSettings):
    deadline_warn_days: int = 14  # a case this close to its deadline is announced
    deadline_check_seconds: float = 3600.0
    bulk_check_seconds: float = 2.0  # how soon a bulk action asked for starts


def deadline_loop(runtime: Runtime[DenialManagementSettings]) -> DeadlineLoop:
    settings = runtime.settings
    return DeadlineLoop(
        runtime.across_tenants, warn_days=settings.deadline_warn_days, interval=settings.deadline_check_seconds
    )


def bulk_loop(runtime: Runtime[DenialManagementSettings]) -> BulkLoop:
    return BulkLoop(runtime.across_tenants, interval=runtime.settings.bulk_check_seconds)


SERVICE = Service(
    name="denial-management",
    package="denial_management",
    port=8006,
    title="claimstream denial management",
    settings=DenialManagementSettings,
    routers=[api.router, bulk_api.router, work_api.router, rules_api.router, limits_api.router],
    migrations=Path(__file__).parent / "migrations",
    subscriptions=SUBSCRIPTIONS,
    locks=LOCKS,
    loops=[deadline_loop, bulk_loop],
    unit_of_work=DenialWork,
    together=True,  # batches of its partitions named the same claims' locks and waited for each other
    gather_seconds=1.0,  # people read what it keeps, not by the second: a longer rest makes fewer, larger batches
)
