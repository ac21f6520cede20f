from claimstream_platform.migrate import run_env
from projection.tables import metadata

run_env(metadata)
