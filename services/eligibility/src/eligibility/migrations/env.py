from claimstream_platform.migrate import run_env
from eligibility.tables import metadata

run_env(metadata)
