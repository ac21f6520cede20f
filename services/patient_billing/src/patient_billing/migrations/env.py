from claimstream_platform.migrate import run_env
from patient_billing.tables import metadata

run_env(metadata)
