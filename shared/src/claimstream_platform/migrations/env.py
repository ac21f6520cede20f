from claimstream_platform.migrate import run_env
from claimstream_platform.tenants import metadata

run_env(metadata)
