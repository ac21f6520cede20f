from claimstream_platform.migrate import run_env
from clearinghouse_simulator.tables import metadata

run_env(metadata)
