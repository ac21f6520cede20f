"""The import-linter configuration, with every service found by convention: `make lint` writes it and runs
`lint-imports` on it, so a new service needs no edit outside its folder.

It holds the contracts that bind every service (none imports another, the platform imports none of them, the
contracts stay plain data, neither the platform nor a service imports the development tools, which a service
image does not install) and each service's own, from `import-contracts.toml` in its folder.

    python -m claimstream_devtools.import_contracts > .data/importlinter.ini
"""

import pkgutil
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from claimstream_devtools.devstack.stack import repository_root

PLATFORM_CONTRACTS: list[dict[str, Any]] = [
    {
        "name": "Contracts import only pydantic and the standard library",
        "type": "forbidden",
        "source_modules": ["claimstream_platform.contracts"],
        "forbidden_modules": ["claimstream_platform.db", "claimstream_platform.messaging", "claimstream_platform.web"],
    },
]


def service_packages(services_dir: Path) -> list[str]:
    return sorted(
        module.name
        for folder in services_dir.iterdir()
        if (folder / "src").is_dir()
        for module in pkgutil.iter_modules([str(folder / "src")])
    )


def contracts(services_dir: Path) -> list[dict[str, Any]]:
    packages = service_packages(services_dir)
    found = [
        *PLATFORM_CONTRACTS,
        {
            "name": "No service imports another (they share only the platform library)",
            "type": "independence",
            "modules": packages,
        },
        {
            "name": "The platform imports no service",
            "type": "forbidden",
            "source_modules": ["claimstream_platform"],
            "forbidden_modules": packages,
        },
        {
            "name": "What a service image runs imports no development tool (they are not installed there)",
            "type": "forbidden",
            "source_modules": ["claimstream_platform", *packages],
            "forbidden_modules": ["claimstream_devtools"],
        },
    ]
    found += [_sql_stays_home(services_dir, package) for package in packages]
    for own in sorted(services_dir.glob("*/import-contracts.toml")):
        found += tomllib.loads(own.read_text())["contract"]
    return found


SQL_HOMES = ("repository", "tables", "migrations")  # the only modules of a service that may import SQLAlchemy


def _sql_stays_home(services_dir: Path, package: str) -> dict[str, Any]:
    """Every module of the service outside its repository, tables and migrations, forbidden SQLAlchemy."""
    (root,) = services_dir.glob(f"*/src/{package}")
    modules = sorted(
        ".".join((package, *path.relative_to(root).with_suffix("").parts)).removesuffix(".__init__")
        for path in root.rglob("*.py")
        if path.relative_to(root).parts[0].removesuffix(".py") not in (*SQL_HOMES, "__init__")
    )  # the package itself is left out: as a source it would stand for all of its modules
    return {
        "name": f"{package}: SQL only in {', '.join(SQL_HOMES)}",
        "type": "forbidden",
        "source_modules": modules,
        "forbidden_modules": ["sqlalchemy"],
        "allow_indirect_imports": "True",
    }


def ini(services_dir: Path) -> str:
    packages = ["claimstream_platform", "claimstream_devtools", *service_packages(services_dir)]
    lines = ["[importlinter]", *_values("root_packages", packages)]
    lines.append("include_external_packages = True")
    for number, contract in enumerate(contracts(services_dir), start=1):
        lines += ["", f"[importlinter:contract:{number}]", *_fields(contract)]
    return "\n".join(lines) + "\n"


def _fields(contract: Mapping[str, Any]) -> Iterable[str]:
    for key, value in contract.items():
        if isinstance(value, list):
            yield from _values(key, value)
        else:
            yield f"{key} = {value}"


def _values(key: str, values: list[str]) -> list[str]:
    return [f"{key} =", *(f"    {value}" for value in values)]


if __name__ == "__main__":
    print(ini(repository_root() / "services"), end="")
