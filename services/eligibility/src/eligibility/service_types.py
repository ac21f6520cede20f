"""The X12 service type codes a check may ask about, as data (data/service_types.toml)."""

import tomllib
from functools import lru_cache
from importlib import resources


@lru_cache(maxsize=1)
def service_types() -> dict[str, str]:
    """Code -> our label."""
    data = tomllib.loads((resources.files("eligibility") / "data" / "service_types.toml").read_text())
    return {str(code): str(label) for code, label in data["codes"].items()}


def known_service_type(code: str) -> str:
    """The code, when it is one we ask about; else a ValueError saying so (a 422 naming the field)."""
    if code not in service_types():
        raise ValueError(
            f"{code!r} is not an X12 service type code eligibility asks about (one of "
            f"{', '.join(sorted(service_types()))})"
        )
    return code
