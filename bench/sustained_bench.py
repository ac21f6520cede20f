"""`make bench`: reliability scenario 10 at full size. Runs `tests/reliability/test_load.py` (every service as
`make run` runs them, encounters at a steady rate through the whole cycle, lag and memory sampled, the oracle after)
for `SUSTAINED_SECONDS` (600 here; 40 in `make test`), and first the raw references of this machine: Kafka produce,
PostgreSQL insert and a one-row commit on a stack of the same kind (its broker as `make run`'s, not the tests'
light one), so that its figures compare across machines.
Writes bench/results/sustained.json with the references and the test's own line of figures."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from measuring import described, on_a_fresh_stack, raw_rates

ROOT = Path(__file__).parents[1]
SECONDS = os.environ.get("SUSTAINED_SECONDS", "600")
RESULTS = Path(__file__).parent / "results" / "sustained.json"


def main() -> int:
    raw = on_a_fresh_stack(raw_rates)
    print(f"raw references: {described(raw)}")
    test = "tests/reliability/test_load.py"
    command = [sys.executable, "-m", "pytest", test, "-s", "-q", "-p", "no:cacheprovider"]
    run = subprocess.run(
        command,
        cwd=ROOT,
        env={**os.environ, "SUSTAINED_SECONDS": SECONDS, "TEST_STACK_BROKER": "server"},  # the references' kind
        capture_output=True,
        text=True,
    )
    figures = re.findall(r"^scenario 10: .*$", run.stdout, re.MULTILINE)
    print("\n".join(figures) or run.stdout[-4000:])
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps({"raw": raw, "seconds": SECONDS, "figures": figures, "passed": run.returncode == 0}))
    return run.returncode


if __name__ == "__main__":
    raise SystemExit(main())
