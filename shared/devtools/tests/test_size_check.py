"""The size check measures what `ruff format` would make of the code, not what the markers let it look like."""

from pathlib import Path

import pytest
from claimstream_devtools import sizes

PACKED = (  # sixteen lines that the formatter lays out as three statements each
    "def packed(a, b):\n"
    + "".join(f"    x{n} = a; y{n} = b; z{n} = {n}  # fmt: skip\n" for n in range(14))
    + "    return a\n"
)


def a_checkout(tmp_path: Path, files: dict[str, str]) -> Path:
    (tmp_path / "pyproject.toml").write_text('[tool.ruff]\nline-length = 120\ntarget-version = "py311"\n')
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return tmp_path


def test_a_format_pragma_goes_and_the_rest_of_its_line_and_comment_stays() -> None:
    source = "x = [1,  2]  # fmt: skip\ny = 1  # aligned  # fmt: skip\n# fmt: off\nz = 3\n# fmt: on\n"

    assert sizes.without_format_pragmas(source) == "x = [1,  2]\ny = 1  # aligned\n\nz = 3\n\n"


def test_a_pragma_inside_a_string_is_not_a_pragma() -> None:
    source = 'note = "# fmt: skip"\n'

    assert sizes.without_format_pragmas(source) == source
    assert sizes.skip_count(source) == 0
    assert sizes.skip_count(source + "table = [1,  2]  # fmt: skip\n") == 1


def test_a_function_packed_under_fmt_skip_is_measured_as_formatted(tmp_path: Path) -> None:
    root = a_checkout(tmp_path, {"shared/src/pkg/packed.py": PACKED})

    assert len(PACKED.splitlines()) < sizes.FUNCTION_MAX
    (text,) = sizes.formatted(root, [Path("shared/src/pkg/packed.py")]).values()
    (found,) = sizes.oversizes(text, "packed.py")
    assert found.lines > sizes.FUNCTION_MAX and "packed.py:1 packed" in found.where
    assert sizes.main([], root=root) == 1


def test_a_module_over_the_limit_fails_and_one_at_the_limit_passes(tmp_path: Path) -> None:
    at_limit = "".join(f"x{n} = {n}\n" for n in range(sizes.MODULE_MAX))
    root = a_checkout(tmp_path, {"tests/test_at.py": at_limit})
    assert sizes.main([], root=root) == 0

    (root / "tests/test_over.py").write_text(at_limit + "y = 1\n")
    assert sizes.main([], root=root) == 1
    assert sizes.main(["tests/test_at.py"], root=root) == 0


def test_migrations_and_nested_functions_count(tmp_path: Path) -> None:
    body = "".join(f"        op.execute('{n}')\n" for n in range(sizes.FUNCTION_MAX))
    migration = f"def upgrade():\n    def inner():\n{body}    inner()\n"
    root = a_checkout(tmp_path, {"services/svc/src/svc/migrations/versions/0001_initial.py": migration})

    (text,) = sizes.formatted(root, [Path("services/svc/src/svc/migrations/versions/0001_initial.py")]).values()
    assert [o.where.split()[-1] for o in sizes.oversizes(text, "0001_initial.py")] == ["upgrade", "inner"]


def test_fmt_skip_in_application_code_over_the_ceiling_fails_but_tests_are_not_counted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = "CODES = [1,  2]  # fmt: skip\n"
    root = a_checkout(tmp_path, {"shared/src/pkg/codes.py": table, "shared/tests/test_codes.py": table * 3})
    monkeypatch.setattr(sizes, "SKIP_CEILING", 1)
    assert sizes.main([], root=root) == 0

    (root / "shared/src/pkg/more.py").write_text(table)
    assert sizes.main([], root=root) == 1


def test_todays_tree_holds_no_more_fmt_skip_than_the_ceiling() -> None:
    root = Path(__file__).resolve().parents[3]
    application = sizes.python_files(root, sizes.APPLICATION_ROOTS)

    assert application, "the application code was not found"
    assert sum(sizes.skip_count((root / path).read_text()) for path in application) <= sizes.SKIP_CEILING


def test_a_path_with_no_python_file_fails_rather_than_passing_empty(tmp_path: Path) -> None:
    root = a_checkout(tmp_path, {"shared/src/pkg/codes.py": "CODES = [1, 2]\n"})
    assert sizes.main(["shared/src/pkg/codes.py"], root=root) == 0
    assert sizes.main(["shared/src/pkg/misspelled.py"], root=root) == 2
