from claimstream_platform.migrate import run_env
from prior_authorization.tables import metadata

run_env(metadata)
