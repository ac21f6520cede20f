"""The import-linter configuration `make lint` writes: every service found by convention."""

from pathlib import Path

from claimstream_devtools.import_contracts import contracts


def test_sql_is_allowed_only_in_a_services_repository_tables_and_migrations(tmp_path: Path) -> None:
    package = tmp_path / "billing" / "src" / "billing"
    modules = ("__init__", "api", "handlers", "domain", "tables", "repository/__init__", "repository/claims")
    for module in (*modules, "migrations/env", "loops/__init__", "loops/nightly"):
        (package / module).with_suffix(".py").parent.mkdir(parents=True, exist_ok=True)
        (package / module).with_suffix(".py").write_text("")
    (found,) = [c for c in contracts(tmp_path) if c["name"].startswith("billing: SQL only")]
    assert found["forbidden_modules"] == ["sqlalchemy"]
    assert found["source_modules"] == [
        "billing.api",
        "billing.domain",
        "billing.handlers",
        "billing.loops",
        "billing.loops.nightly",
    ]
