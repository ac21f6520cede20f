#!/bin/sh
# claimstream's runtime into a fresh virtual environment: what the image holds (Dockerfile), and what
# tests/deploy/test_install.py installs and starts, so that the image's contents are proven where no container
# engine exists. Runtime requirements only (requirements/runtime.txt: pinned and hashed), then the platform library
# and every service, built with the pinned setuptools (requirements/build.txt), which leaves the environment after.
#   deploy/install.sh TARGET        e.g. deploy/install.sh /opt/claimstream
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
target=${1:?usage: deploy/install.sh TARGET}
python=${PYTHON:-python3}

"$python" -m venv "$target"
pip="$target/bin/python -m pip --disable-pip-version-check --no-input --quiet"
$pip install --require-hashes --only-binary=:all: -r "$root/requirements/runtime.txt"
$pip install --require-hashes -r "$root/requirements/build.txt"
# Built from a copy: building in place would leave build folders in the checkout.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for package in "$root/shared" "$root"/services/*/; do
    name=$(basename "$package")
    mkdir -p "$work/$name"
    cp -R "$package/pyproject.toml" "$package/src" "$work/$name/"
done
# One pip for them all: a pip started per package cost seconds each.
$pip install --no-deps --no-build-isolation "$work"/*/
$pip uninstall --yes setuptools
"$target/bin/python" -c "import claimstream_platform, uvloop, asyncpg"  # a broken environment fails here, not at start
