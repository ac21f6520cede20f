from claimstream_platform.migrate import run_env
from console.tables import metadata

run_env(metadata)
