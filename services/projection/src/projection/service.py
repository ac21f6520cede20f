"""The projection, declared for the platform's service kit: the only wiring module (nothing else reads the
environment). `python -m projection migrate | api | worker | rebuild | announce-shares`; the worker runs the
consumer of every topic and the outbox relay, which publishes the access records of its PHI reads (`access.v1`)
and what the ledger says each visit leaves the patient (`projection.v1`)."""

from claimstream_platform.kit import Service

from projection import api, checks_api, rebuilds_api, reports_api, stream_api
from projection.consumers import SUBSCRIPTIONS
from projection.repository import ProjectionWork
from projection.settings import MIGRATIONS, ProjectionSettings


def announce_shares(settings: ProjectionSettings) -> int:
    """`python -m projection announce-shares`."""
    from projection import announce

    return announce.main(settings)


def rebuild(settings: ProjectionSettings) -> int:
    """`python -m projection rebuild`."""
    from projection import rebuild as command  # its Kafka replay and bulk writes load for this command only

    return command.main(settings)


SERVICE = Service(
    name="projection",
    package="projection",
    port=8007,
    title="claimstream projection",
    settings=ProjectionSettings,
    routers=[api.router, reports_api.router, checks_api.router, stream_api.router, rebuilds_api.router],
    migrations=MIGRATIONS,
    subscriptions=SUBSCRIPTIONS,
    unit_of_work=ProjectionWork,
    together=True,  # a claim's events and its payment's fold into one encounter: batches that would wait for each other
    gather_seconds=1.0,  # people read what it keeps, not by the second: a longer rest makes fewer, larger batches
    commands={
        "rebuild": ("replay every topic into fresh tables, compare, and swap them in", rebuild),
        "announce-shares": ("announce every visit's patient share again, for patient billing", announce_shares),
    },
)
