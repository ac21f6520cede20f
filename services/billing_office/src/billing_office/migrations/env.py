from billing_office.tables import metadata
from claimstream_platform.migrate import run_env

run_env(metadata)
