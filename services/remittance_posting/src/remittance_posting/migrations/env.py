from claimstream_platform.migrate import run_env
from remittance_posting.tables import metadata

run_env(metadata)
