"""Issue 29: the Dockerfile, read where no engine can build it. It installs by the one script the install test runs,
copies only what the build context admits (`.dockerignore`: no tests, no local state), runs as a numbered user
without a login, pins its base, and leaves probing to the orchestrator (docs/deploy.md, "The image")."""

import fnmatch
import re
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = (ROOT / "Dockerfile").read_text()
INSTRUCTIONS = [line.strip() for line in re.sub(r"\\\n", " ", DOCKERFILE).splitlines() if line.strip()[:1].isalpha()]


def test_it_installs_by_the_script_the_install_test_runs_and_nothing_else() -> None:
    runs = [line for line in INSTRUCTIONS if line.startswith("RUN ")]
    installs = [line for line in runs if ("pip" in line and "install" in line) or "install.sh" in line]
    assert installs == ["RUN deploy/install.sh /opt/claimstream"], runs


def test_what_it_copies_is_in_the_build_context_and_the_context_holds_no_tests_or_local_state() -> None:
    admitted = _admitted()
    copied = [
        part
        for line in INSTRUCTIONS
        if line.startswith("COPY ") and "--from" not in line
        for part in line.split()[1:-1]
    ]
    assert copied, "the Dockerfile copies nothing from the context"
    for source in copied:
        assert (ROOT / source).exists(), f"{source} is not in the checkout"
        assert admitted(source), f"{source} is left out by .dockerignore"
    for kept_out in (
        "services/claim_submission/tests/unit",
        ".venv/bin",
        ".data/postgres",
        "tests/integration",
        "node_modules/x",
    ):
        assert not admitted(kept_out), f"{kept_out} would be sent to the build"


def test_it_runs_as_a_numbered_user_from_a_pinned_base_and_has_no_healthcheck() -> None:
    users = [line.split()[1] for line in INSTRUCTIONS if line.startswith("USER ")]
    assert users and users[-1].split(":")[0].isdigit() and users[-1].split(":")[0] != "0"
    base = re.search(r"^ARG PYTHON_IMAGE=(\S+)$", DOCKERFILE, re.M)
    assert base and re.fullmatch(r"python:3\.11\.\d+-slim-\w+", base.group(1)), "the base is not pinned to a release"
    assert not any(line.startswith("HEALTHCHECK") for line in INSTRUCTIONS)
    assert 'ENTRYPOINT ["python", "-m"]' in INSTRUCTIONS


def _admitted() -> Callable[[str], bool]:
    """Docker's rule: the last pattern that matches a path (or a folder above it) decides; `!` admits."""
    patterns = [
        p.strip() for p in (ROOT / ".dockerignore").read_text().splitlines() if p.strip() and not p.startswith("#")
    ]

    def admitted(path: str) -> bool:
        verdict = True
        parts = path.strip("/").split("/")
        prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
        for pattern in patterns:
            negated, glob = pattern.startswith("!"), pattern.lstrip("!").strip("/")
            glob = glob.replace("**/", "*/") if glob.startswith("**/") else glob
            if any(
                fnmatch.fnmatchcase(prefix, glob) or fnmatch.fnmatchcase(prefix, glob.removeprefix("*/"))
                for prefix in prefixes
            ):
                verdict = negated
        return verdict

    return admitted
