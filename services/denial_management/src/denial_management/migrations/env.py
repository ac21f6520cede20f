from claimstream_platform.migrate import run_env
from denial_management.tables import metadata

run_env(metadata)
