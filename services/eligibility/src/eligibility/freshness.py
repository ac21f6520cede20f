"""Per payer, how many days an eligibility answer stays fresh (data/freshness.toml)."""

import tomllib
from functools import lru_cache
from importlib import resources


@lru_cache(maxsize=1)
def _table() -> tuple[int, dict[str, int]]:
    data = tomllib.loads((resources.files("eligibility") / "data" / "freshness.toml").read_text())
    return int(data["default"]), {str(k): int(v) for k, v in data.get("payers", {}).items()}


def fresh_days(payer_id: str) -> int:
    default, payers = _table()
    return payers.get(payer_id, default)
