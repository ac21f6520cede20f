from claimstream_platform.limits.store import metadata
from claimstream_platform.migrate import run_env

run_env(metadata)
