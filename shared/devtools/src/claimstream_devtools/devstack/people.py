"""The demo's people, who sign in to the console (`clearinghouse_simulator.demo_people`, the same step Compose and
the cluster's demo run): invited at the first start of the profile, their passwords printed once and kept in the
profile (`console-people`, 0600). It runs with identity's settings, whose command invites the operator."""

import subprocess
import sys
from pathlib import Path


def demo_people(identity_env: dict[str, str], identity_url: str, admin_token: Path, folder: Path) -> Path:
    """The people's emails and passwords, made at the first start of the profile (kept after)."""
    kept = folder / "console-people"
    command = [sys.executable, "-m", "clearinghouse_simulator.demo_people", "--identity", identity_url]
    command += ["--admin-token-file", str(admin_token), "--out", str(kept), "--operator"]
    subprocess.run(command, env=identity_env, capture_output=True, check=False, timeout=300)
    return kept
