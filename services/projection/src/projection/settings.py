"""What the projection is configured with, apart from its declaration (service.py) so that its commands (the
rebuild) can read it without importing the service they are part of."""

from pathlib import Path

from claimstream_platform.settings import ServiceSettings

MIGRATIONS = Path(__file__).parent / "migrations"


class ProjectionSettings(ServiceSettings):
    rebuild_batch_size: int = 5000  # records applied per transaction by `rebuild`
