"""`requirements/runtime.txt` and `requirements/build.txt`, derived from `requirements/dev.txt`, the one lock: every
pin and hash in them is dev.txt's, so the image runs exactly what the tests ran.

- runtime.txt: `runtime.in`'s requirements and everything they need (their extras and dependencies, as installed
  in this environment from dev.txt), nothing of the tests, linters or the local stack: what an image installs.
- build.txt: what builds our own packages (setuptools); the install script removes it afterwards (deploy/install.sh).

`python -m claimstream_devtools.requirements_lock` writes both; a test fails when they are not what it would write.
dev.txt itself is compiled from dev.in (which takes runtime.in) by pip-tools, outside the project's environment:
`pip-compile --generate-hashes --no-header --allow-unsafe --strip-extras -o dev.txt dev.in` in requirements/ (a
`--find-links` line a machine's pip configuration adds is removed: the file names no machine's paths).
"""

import importlib.metadata
import re
import sys
from pathlib import Path

from packaging.requirements import Requirement

from claimstream_devtools.devstack.stack import repository_root

BUILD = ("setuptools",)


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def locked_blocks(dev_lock: str) -> dict[str, str]:
    """Each pin of the lock and its hashes, by canonical name, its `# via` comments left out (they name the tests')."""
    blocks: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in dev_lock.splitlines():
        if line and not line[0].isspace() and not line.startswith("#"):
            current = blocks.setdefault(canonical(re.split(r"[=<>!~\[; ]", line, maxsplit=1)[0]), [])
        if current is not None and not line.lstrip().startswith("#") and line.strip():
            current.append(line)
    return {name: "\n".join(lines) for name, lines in blocks.items()}


def runtime_closure(runtime_in: str) -> set[str]:
    """The canonical names of runtime.in's requirements and of all they need, as installed here."""
    wanted = [Requirement(line.split("#")[0]) for line in runtime_in.splitlines() if line.split("#")[0].strip()]
    seen: set[tuple[str, frozenset[str]]] = set()
    while wanted:
        requirement = wanted.pop()
        key = (canonical(requirement.name), frozenset(requirement.extras))
        if key in seen:
            continue
        seen.add(key)
        extras = requirement.extras or {""}
        for text in importlib.metadata.distribution(requirement.name).requires or []:
            needed = Requirement(text)
            if needed.marker is None or any(needed.marker.evaluate({"extra": extra}) for extra in extras):
                wanted.append(needed)
    return {name for name, _ in seen}


def derived(root: Path) -> dict[str, str]:
    """The files' contents, as this module would write them."""
    folder = root / "requirements"
    blocks = locked_blocks((folder / "dev.txt").read_text())
    header = (
        "# Derived from dev.txt by `python -m claimstream_devtools.requirements_lock`: edit runtime.in, not this.\n"
    )
    runtime = sorted(runtime_closure((folder / "runtime.in").read_text()))
    missing = [name for name in (*runtime, *BUILD) if name not in blocks]
    if missing:
        raise SystemExit(f"dev.txt does not pin {', '.join(missing)}: compile it again")
    return {
        "runtime.txt": header + "".join(blocks[name] + "\n" for name in runtime),
        "build.txt": header + "".join(blocks[name] + "\n" for name in BUILD),
    }


def main() -> int:
    root = repository_root()
    for name, content in derived(root).items():
        (root / "requirements" / name).write_text(content)
        print(f"requirements/{name}: {content.count('==')} pins")
    return 0


if __name__ == "__main__":
    sys.exit(main())
