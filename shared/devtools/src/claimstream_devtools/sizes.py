"""The size limits, measured on the code as `ruff format` lays it out: the last step of `make lint`.

    python -m claimstream_devtools.sizes [PATH ...]

A function may have at most 40 lines and a module at most 300. Both are counted on a formatted copy in a scratch
folder from which every `# fmt: skip` (and `# fmt: off` / `# fmt: on`) has been taken away first, so a line packed
under the marker counts as the lines the formatter would give it. The tree itself is not changed.

What it measures, without paths: the application code (`shared/src`, `shared/devtools/src`, `services/*/src`) and
the tests (`shared/tests`, `shared/devtools/tests`, `services/*/tests`, `tests`): a test is read as often as the code
it checks. Alembic migrations count too: an `upgrade()` runs once against production data and is read when a schema
has to be reviewed, repaired or replayed, which is when a long function hurts most (split one helper per table).

It also counts the `# fmt: skip` markers left in the application code and fails above `SKIP_CEILING`: the marker
is for aligned literal tables only, and the ceiling keeps the count from creeping back up.
"""

import ast
import io
import re
import shutil
import subprocess
import sys
import tempfile
import tokenize
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

FUNCTION_MAX = 40
MODULE_MAX = 300
# The markers left in application code once every service gave up those in logic (issue 27: 351 before), each on
# an aligned literal table. A new one needs a table that reads better aligned, and this figure raised with it.
SKIP_CEILING = 10

APPLICATION_ROOTS = ("shared/src", "shared/devtools/src", "services/*/src")
TEST_ROOTS = ("shared/tests", "shared/devtools/tests", "services/*/tests", "tests")
FORMAT_PRAGMA = re.compile(r"#\s*fmt:\s*(skip|off|on)\b")
SKIP = re.compile(r"#\s*fmt:\s*skip\b")


@dataclass(frozen=True, order=True)
class Oversize:
    lines: int
    where: str

    def __str__(self) -> str:
        return f"{self.lines:4d} lines  {self.where}"


def python_files(root: Path, patterns: Iterable[str]) -> list[Path]:
    """Every .py file under the folders the patterns name, relative to the root, in a stable order."""
    found: set[Path] = set()
    for pattern in patterns:
        for folder in root.glob(pattern):
            if folder.is_file() and folder.suffix == ".py":
                found.add(folder.relative_to(root))
            elif folder.is_dir():
                found.update(path.relative_to(root) for path in folder.rglob("*.py"))
    return sorted(path for path in found if not {"__pycache__", ".venv"} & set(path.parts))


def without_format_pragmas(source: str) -> str:
    """The source with every `# fmt: skip|off|on` comment removed; strings that merely contain one are kept."""
    lines = source.splitlines(keepends=True)
    comments = [token for token in _tokens(source) if token.type == tokenize.COMMENT]
    for token in reversed(comments):
        match = FORMAT_PRAGMA.search(token.string)
        if match is None:
            continue
        row, column = token.start
        kept = token.string[: match.start()].rstrip().rstrip("#").rstrip()
        line = lines[row - 1]
        before = line[:column].rstrip() if not kept else line[:column] + kept
        ending = line[len(line.rstrip("\r\n")) :]
        lines[row - 1] = before + ending
    return "".join(lines)


def _tokens(source: str) -> list[tokenize.TokenInfo]:
    try:
        return list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError):
        return []  # ruff will name the file it cannot format


def skip_count(source: str) -> int:
    return sum(1 for token in _tokens(source) if token.type == tokenize.COMMENT and SKIP.search(token.string))


def oversizes(source: str, name: str) -> list[Oversize]:
    """The functions over FUNCTION_MAX lines and the module itself if it is over MODULE_MAX."""
    found = []
    module_lines = len(source.splitlines())
    if module_lines > MODULE_MAX:
        found.append(Oversize(module_lines, f"module    {name}"))
    for node in ast.walk(ast.parse(source, filename=name)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            size = (node.end_lineno or node.lineno) - node.lineno + 1
            if size > FUNCTION_MAX:
                found.append(Oversize(size, f"function  {name}:{node.lineno} {node.name}"))
    return found


def formatted(root: Path, files: Sequence[Path]) -> dict[Path, str]:
    """Each file as `ruff format` lays it out once its format pragmas are gone, with the project's settings."""
    with tempfile.TemporaryDirectory() as scratch_name:
        scratch = Path(scratch_name)
        shutil.copy(root / "pyproject.toml", scratch / "pyproject.toml")
        for path in files:
            (scratch / path).parent.mkdir(parents=True, exist_ok=True)
            (scratch / path).write_text(without_format_pragmas((root / path).read_text(encoding="utf-8")))
        ruff = [sys.executable, "-m", "ruff", "format", "--quiet", "--no-cache", "."]
        result = subprocess.run(ruff, cwd=scratch, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise SystemExit(f"sizes: ruff format failed:\n{result.stderr}")
        return {path: (scratch / path).read_text(encoding="utf-8") for path in files}


def main(argv: Sequence[str] | None = None, root: Path | None = None) -> int:
    root = root or Path.cwd()
    paths = list(sys.argv[1:] if argv is None else argv)
    measured = python_files(root, paths or (*APPLICATION_ROOTS, *TEST_ROOTS))
    if not measured:  # a mistyped path must not pass for code within the limits
        print(f"sizes: no Python file under {', '.join(paths) or 'the checkout'}")
        return 2
    application = set(python_files(root, APPLICATION_ROOTS))
    found = sorted((o for path, text in formatted(root, measured).items() for o in oversizes(text, str(path))))
    skips = sum(skip_count((root / path).read_text(encoding="utf-8")) for path in measured if path in application)
    for oversize in reversed(found):
        print(oversize)
    print(
        f"sizes: {len(measured)} files as formatted: {len(found)} over the limits "
        f"({FUNCTION_MAX} lines a function, {MODULE_MAX} a module); "
        f"'# fmt: skip' in application code: {skips} (ceiling {SKIP_CEILING})"
    )
    return 1 if found or skips > SKIP_CEILING else 0


if __name__ == "__main__":
    sys.exit(main())
